// The `lethe` command's entry point (bin/lethe.js): runs the command and exits with its code.
import { runCli } from './run-cli.js';

void runCli(process.argv.slice(2)).then((code) => process.exit(code));
