import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

// The full community ruleset applies to everything that ships (nodes/, credentials/, package.json).
// The fake Admin API, tests, benchmarks and scripts never ship and legitimately use node:http,
// process and n8n-core, which that ruleset forbids in published code.
export default [globalIgnores(['sandbox/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', 'coverage/**']), ...config];
