/**
 * The HTTP functions the package registers (`index.ts`), by entry point name: the one list the
 * Pulumi program deploys, the local server serves and the entry point's test checks. Names only,
 * so the Pulumi program can read it without loading the handlers.
 */
export const FUNCTION_NAMES = [
  "generateData",
  "refreshRfmSnapshot",
  "refreshClvSnapshot",
  "refreshStatTests",
  "loadOrders",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
