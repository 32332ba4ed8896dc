// A unit bundle: its share of the unit test files in one module registry (bundles.cjs says which).
require('./bundles.cjs').load(__filename);
