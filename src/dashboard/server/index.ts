/** The dashboard's Node side: `startDashboard` and the types a study source implements. */
export { startDashboard, findStaticDir, type Dashboard, type DashboardOptions } from "./server.js";
export { RunsRoot, isSafeRunName, RUN_FILES } from "./paths.js";
export { isLoopbackHost } from "./http.js";
export { readLines } from "./tail.js";
export { readFirstConv } from "./checkpoint.js";
export type * from "../types.js";
