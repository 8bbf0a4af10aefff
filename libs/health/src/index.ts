export * from "./health.module";
