#!/usr/bin/env node
// The CLI is bundled into dist/cli by `npm run build` (scripts/bundle-cli.js): see there for why.
import { main } from '../dist/cli/main.js';

await main(import.meta.url);
