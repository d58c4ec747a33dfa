/**
 * The deployable function package's entry point: registers the HTTP functions with the
 * Functions Framework. The same module serves Cloud Functions (gen2) and the local server
 * (`npm run serve -- --target=generateData`).
 */
import * as functions from "@google-cloud/functions-framework";
import { functionConfigFromEnv } from "./backends/fromEnv";
import { FUNCTION_NAMES, type FunctionName } from "./functionNames";
import { installJsonParseErrorHandler } from "./handlers/frameworkErrors";
import { generateData } from "./handlers/generateData";
import { loadOrders } from "./handlers/loadOrders";
import { refreshClvSnapshot } from "./handlers/refreshClvSnapshot";
import { refreshRfmSnapshot } from "./handlers/refreshRfmSnapshot";
import { refreshStatTests } from "./handlers/refreshStatTests";

// Malformed JSON gets the same JSON 400 (with a request id) as any other bad input, not Express's
// HTML error page; see frameworkErrors.ts.
installJsonParseErrorHandler();

// Fail at start-up, naming the variable, rather than on the first scheduled request.
functionConfigFromEnv();

// A record, so a name added to FUNCTION_NAMES without its handler does not compile.
const HANDLERS: Record<FunctionName, functions.HttpFunction> = {
  generateData,
  refreshRfmSnapshot,
  refreshClvSnapshot,
  refreshStatTests,
  loadOrders,
};
for (const name of FUNCTION_NAMES) functions.http(name, HANDLERS[name]);
