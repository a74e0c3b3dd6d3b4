// The conformance helpers live with the suite in the library (plugin authors run it); the
// repository's own suites take them from there.
export * from '../../libs/vrpc/src/testing/bus-conformance/conformance-support.js';
