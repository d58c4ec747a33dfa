// `rowSchema` (the contract as zod row validators) is imported from "./rowSchema" where needed,
// not from here: every writer imports the contract, and zod took 0.2 s to load.
export * from "./tables";
export * from "./column";
export * from "./duckdbDdl";
export * from "./bigquerySchema";
export * from "./metaTables";
