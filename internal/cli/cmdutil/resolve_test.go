package cmdutil

import (
	"errors"
	"strings"
	"testing"
)

// The API lists the last four characters of each key ID (keySuffix): a key ID matches the keys
// ending in them, two matches are refused, and only key-ID-shaped arguments are compared.
func TestMatchKeyID(t *testing.T) {
	keys := []apiKeyEntry{
		{ID: "k1", Name: "ci", State: "enabled", KeySuffix: "AB12"},
		{ID: "k2", Name: "deploy", State: "disabled", KeySuffix: "CD34"},
		{ID: "k3", Name: "laptop", State: "enabled", KeySuffix: "CD34"},
		{ID: "k4", Name: "mine", State: "enabled", KeySuffix: "s3c9"}, // ends a secret below, which must not count
	}
	ids := func(cs []Candidate) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct{ arg, want string }{
		{"XQ8Z7PLMNB0T5YWUAB12", "k1"},
		{"XQ8Z7PLMNB0T5YWUCD34", "k2,k3"},
		{"XQ8Z7PLMNB0T5YWUEF56", ""},
		{"AB12", ""},                 // four characters are not a key ID
		{"my-ci-AB12", ""},           // a name with other characters is not either
		{"MYKEYID0000000000000", ""}, // k4's suffix ends the secret of this key ID, not the ID: no match
	} {
		if got := ids(matchKeyID(c.arg, keys)); got != c.want {
			t.Errorf("matchKeyID(%q) = %q, want %q", c.arg, got, c.want)
		}
	}
}

func TestAmbiguityIsAUsageErrorListingTheCandidates(t *testing.T) {
	_, _, err := pickByName("service", "web", []Candidate{{ID: "a", Name: "web", Detail: "running"}, {ID: "b", Name: "web"}, {ID: "c", Name: "etl"}})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || ExitCode(err) != ExitUsage {
		t.Fatalf("pickByName: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "\n  a  web  (running)") || !strings.Contains(msg, "\n  b  web") || strings.Contains(msg, "etl") {
		t.Errorf("candidates:\n%s", msg)
	}
}

func TestOrgInURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.clickhouse.cloud/v1/organizations/o-1/services": "o-1",
		"http://127.0.0.1:1234/v1/organizations/o-2":                 "o-2",
		"https://api.clickhouse.cloud/v1/organizations":              "",
		"": "",
	} {
		if got := orgInURL(in); got != want {
			t.Errorf("orgInURL(%q) = %q, want %q", in, got, want)
		}
	}
}
