package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// A ClickHouse setting value sent as a number is a type finding either way; the bare generated
// parser cannot decode it, the SDK (which quotes such numbers) can, and the finding says which.
func TestSDKDecodersTolerateNumbersForStrings(t *testing.T) {
	doc, err := specdoc.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := SDKDecoders()
	if err != nil {
		t.Fatal(err)
	}
	o := op("serviceClickhouseSettingGet")
	answer := findings.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":{"name":"max_threads","value":4}}`)}

	for _, tc := range []struct {
		name       string
		decoders   map[string]findings.Decoder
		sdkFailure bool
	}{
		{"generated parser", findings.GeneratedDecoders(), true},
		{"SDK", sdk, false},
	} {
		c, err := findings.NewChecker(doc, findings.WithDecoders(tc.decoders))
		if err != nil {
			t.Fatal(err)
		}
		got := c.Check(o, answer)
		if len(got) != 1 || got[0].Kind != findings.TypeMismatch || got[0].Path != "$.result.value" {
			t.Fatalf("%s: findings = %v, want one type-mismatch at $.result.value", tc.name, got)
		}
		if failed := strings.Contains(got[0].Detail, "cannot decode"); failed != tc.sdkFailure {
			t.Errorf("%s: detail %q, decode failure mentioned = %v, want %v", tc.name, got[0].Detail, failed, tc.sdkFailure)
		}
	}
	if len(sdk) != len(operations) {
		t.Errorf("%d SDK decoders for %d operations", len(sdk), len(operations))
	}
}
