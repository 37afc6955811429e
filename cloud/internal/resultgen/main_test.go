package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestGenerate: a Result method for a pointer result (nil means none), a value result (always
// there), several success statuses of one type; none for a response without a success result or
// with results of different types.
func TestGenerate(t *testing.T) {
	const src = `package cloudapi

import "net/http"

type Service struct{}
type List struct{}
type GetEnvelope struct {
	Result *Service ` + "`json:\"result,omitempty\"`" + `
}
type Get200JSONResponseBody = GetEnvelope
type Get201JSONResponseBody GetEnvelope
type GetResponse struct {
	Body         []byte
	HTTPResponse *http.Response
	JSON200      *Get200JSONResponseBody
	JSON201      *Get201JSONResponseBody
	JSON400      *Get200JSONResponseBody
}
type List200JSONResponseBody struct {
	ListResult List ` + "`json:\"result\"`" + `
}
type ListResponse struct {
	Body         []byte
	HTTPResponse *http.Response
	JSON200      *List200JSONResponseBody
}
type MixedResponse struct {
	Body         []byte
	HTTPResponse *http.Response
	JSON200      *List200JSONResponseBody
	JSON201      *Get200JSONResponseBody
}
type DeleteResponse struct {
	Body         []byte
	HTTPResponse *http.Response
}
`
	file, err := parser.ParseFile(token.NewFileSet(), "cloudapi.gen.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out, err := generate(file)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"func (r *GetResponse) Result() (*Service, bool) {",
		"if r.JSON200 != nil && r.JSON200.Result != nil {",
		"if r.JSON201 != nil && r.JSON201.Result != nil {",
		"func (r *ListResponse) Result() (List, bool) {",
		"if r.JSON200 != nil {\n\t\treturn r.JSON200.ListResult, true",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"JSON400", "MixedResponse", "DeleteResponse"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("output has %q:\n%s", unwanted, got)
		}
	}
}
