/**
 * The deployable function package's entry point: registers the HTTP functions with the
 * Functions Framework. The same module serves Cloud Functions (gen2) and the local server
 * (`npm run serve -- --target=generateData`).
 */
import * as functions from "@google-cloud/functions-framework";
import { functionConfigFromEnv } from "./backends/fromEnv";
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

functions.http("generateData", generateData);
functions.http("refreshRfmSnapshot", refreshRfmSnapshot);
functions.http("refreshStatTests", refreshStatTests);
functions.http("refreshClvSnapshot", refreshClvSnapshot);
functions.http("loadOrders", loadOrders);
