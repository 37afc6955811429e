// Package thirdparty holds the tests of the dependencies chcloud carries patched copies of (each
// in its own module below this directory, wired in with a replace directive in go.mod). Each
// copy's CHCLOUD-PATCH.md says what was changed and why.
package thirdparty
