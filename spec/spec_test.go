package spec

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestEmbeddedDocumentMatchesSOURCE recomputes the sha256 of the vendored document, so an
// accidental edit of spec/openapi.json fails the build.
func TestEmbeddedDocumentMatchesSOURCE(t *testing.T) {
	f, err := os.Open("SOURCE")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fields := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			fields[k] = v
		}
	}
	if fields["url"] != "https://api.clickhouse.cloud/v1" {
		t.Errorf("SOURCE url = %q, want the published URL", fields["url"])
	}
	sum := sha256.Sum256(Document())
	if actual := hex.EncodeToString(sum[:]); fields["sha256"] != actual || SHA256() != actual {
		t.Errorf("spec/openapi.json sha256 = %s, SOURCE says %s, SHA256() says %s: the vendored document was changed; put changes in overlay.yaml", actual, fields["sha256"], SHA256())
	}
	onDisk, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(onDisk) != string(Document()) {
		t.Error("embedded document differs from spec/openapi.json")
	}
}

func TestInventory(t *testing.T) {
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 148 {
		t.Errorf("operations = %d, want 148 (the 2026-09-05 document)", len(ops))
	}
	seen := map[string]bool{}
	paths := map[string]bool{}
	var beta, deprecated int
	for _, op := range ops {
		if op.ID == "" || seen[op.ID] {
			t.Errorf("%s %s: empty or duplicate operationId %q", op.Method, op.Path, op.ID)
		}
		seen[op.ID] = true
		paths[op.Path] = true
		if op.Beta {
			beta++
		}
		if op.Deprecated {
			deprecated++
		}
		if len(op.Tags) == 0 {
			t.Errorf("%s has no tag", op.ID)
		}
		if !op.Declares(200) && !op.Declares(201) {
			t.Errorf("%s declares no success status: %+v", op.ID, op.Responses)
		}
	}
	if len(paths) != 86 {
		t.Errorf("paths = %d, want 86", len(paths))
	}
	if beta == 0 || deprecated == 0 {
		t.Errorf("beta = %d, deprecated = %d: both flags should be found", beta, deprecated)
	}

	get, ok := Lookup("instanceGet")
	if !ok {
		t.Fatal("instanceGet not found")
	}
	if get.Method != "GET" || get.Path != "/v1/organizations/{organizationId}/services/{serviceId}" ||
		strings.Join(get.PathParams, ",") != "organizationId,serviceId" || get.Mutating() || get.Beta {
		t.Errorf("instanceGet = %+v", get)
	}
	if get.Declares(401) || get.Declares(429) || !get.Declares(400) || !get.Declares(500) {
		t.Errorf("instanceGet declared statuses wrong: %+v", get.Responses)
	}
	udf, _ := Lookup("udfCreate")
	if !udf.Beta || !udf.Declares(201) || !udf.Declares(410) || udf.Declares(200) || !udf.Mutating() {
		t.Errorf("udfCreate = %+v", udf)
	}
	certs, _ := Lookup("postgresServiceCertsGet")
	if got := strings.Join(certs.ContentTypesFor(200), ","); got != "application/x-pem-file" {
		t.Errorf("postgresServiceCertsGet 200 content types = %q", got)
	}
	scaling, _ := Lookup("instanceScalingUpdate")
	if !scaling.Deprecated || len(scaling.RequestBody) != 1 {
		t.Errorf("instanceScalingUpdate = %+v", scaling)
	}
	list, _ := Lookup("instanceGetList")
	if strings.Join(list.QueryParams, ",") != "filter" {
		t.Errorf("instanceGetList query params = %v, want [filter]", list.QueryParams)
	}
}

func TestParseInventoryRejectsNonOpenAPI(t *testing.T) {
	for name, raw := range map[string]string{
		"not json":   "<html>502 Bad Gateway</html>",
		"no openapi": `{"swagger2": true, "paths": {}}`,
		"no paths":   `{"openapi": "3.1.0"}`,
	} {
		if _, err := ParseInventory([]byte(raw)); err == nil {
			t.Errorf("%s: ParseInventory accepted it", name)
		}
	}
}
