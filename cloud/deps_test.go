package cloud_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSDKDoesNotLinkValidators keeps the SDK light for the programs that import it: kin-openapi
// and its JSON Schema engine add megabytes and about 10 ms of start-up work (package init), and
// the SDK needs neither them nor the document. They belong in spec/specdoc.
func TestSDKDoesNotLinkValidators(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the SDK's dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/chcloud-dev/chcloud/cloud").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, heavy := range []string{"github.com/getkin/kin-openapi", "github.com/santhosh-tekuri/jsonschema", "github.com/oasdiff/", "github.com/chcloud-dev/chcloud/cloudtest"} {
			if strings.HasPrefix(dep, heavy) {
				t.Errorf("package cloud links %s; keep validation code out of the SDK (see spec/specdoc)", dep)
			}
		}
		// What tolerant decoding needs of the document is generated into schema.gen.go: the
		// 1.2 MB embed of package spec would be most of an SDK-only program's data.
		if dep == "github.com/chcloud-dev/chcloud/spec" {
			t.Errorf("package cloud links %s (the embedded document); use the generated tables (cloud/internal/schemagen)", dep)
		}
	}
}
