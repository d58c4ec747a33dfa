export * from "./tables";
export * from "./column";
export * from "./duckdbDdl";
export * from "./bigquerySchema";
export * from "./rowSchema";
export * from "./metaTables";
