export * from "./tables";
export * from "./duckdbDdl";
export * from "./bigquerySchema";
export * from "./rowSchema";
export * from "./metaTables";
