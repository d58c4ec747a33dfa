/**
 * The deployable function package's entry point: registers both HTTP functions with the
 * Functions Framework. The same module serves Cloud Functions (gen2) and the local server
 * (`npm run serve -- --target=generateData`).
 */
import * as functions from "@google-cloud/functions-framework";
import { functionConfigFromEnv } from "./backends/fromEnv";
import { generateData } from "./handlers/generateData";
import { refreshRfmSnapshot } from "./handlers/refreshRfmSnapshot";

// The framework answers malformed JSON itself, with Express's error page; outside production that
// page carries the stack. Cloud Functions runs with NODE_ENV=production; make the local server match.
process.env.NODE_ENV ??= "production";

// Fail at start-up, naming the variable, rather than on the first scheduled request.
functionConfigFromEnv();

functions.http("generateData", generateData);
functions.http("refreshRfmSnapshot", refreshRfmSnapshot);
