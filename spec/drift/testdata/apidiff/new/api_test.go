package api

// Test files are not part of the API: this one would not even compile against the package.
var _ = undefinedInTests
