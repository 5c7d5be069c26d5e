#!/usr/bin/env node
// Thin launcher for the compiled CLI (npm run build produces dist/).
import { main } from "../dist/src/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`ganglion: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
