package conformance

import (
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/conformance/findings"
)

func TestReportsSayWhereAnswersCameFrom(t *testing.T) {
	cases := []struct {
		name     string
		run      *Run
		fake     string
		want     string
		wantReal bool
	}{
		{"replay of a fake recording", &Run{Config: Config{Mode: Replay}, recording: RunFile{RecordedBy: "the fake server cloudtest 0.1.0 (quirks: all)", RecordedOn: "2026-12-04", Fake: true}},
			"", "replayed from cassettes recorded against the fake server cloudtest 0.1.0 (quirks: all) on 2026-12-04; the fake agrees with the document by construction", false},
		{"replay of a live recording", &Run{Config: Config{Mode: Replay}, recording: RunFile{RecordedBy: "https://api.clickhouse.cloud", RecordedOn: "2026-11-30"}},
			"", "replayed from cassettes recorded against https://api.clickhouse.cloud on 2026-11-30", true},
		{"live", &Run{Config: Config{Mode: Live, BaseURL: "https://api.clickhouse.cloud", Today: "2026-12-04"}}, "", "live, api.clickhouse.cloud, 2026-12-04", true},
		{"record against the fake", &Run{Config: Config{Mode: Record, FakeQuirks: "none", Today: "2026-12-04"}}, "0.1.0",
			"record against the fake server cloudtest 0.1.0 (quirks: none), 2026-12-04; the fake agrees", false},
	}
	for _, c := range cases {
		_, sentence, real := c.run.source(c.fake)
		if !strings.HasPrefix(sentence, c.want) || real != c.wantReal {
			t.Errorf("%s: %q real=%v, want prefix %q real=%v", c.name, sentence, real, c.want, c.wantReal)
		}
	}
	rep := &findings.Report{Mode: "replay", Source: "replayed from cassettes recorded against the fake server", RealAPI: false}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(md.String(), "# Conformance of recorded fake answers (not the real API)") {
		t.Errorf("a replay of fake answers reads as a verdict on the real API:\n%s", md.String()[:200])
	}
}

func TestStaleQuirkBackedDeviationFailsAFakeRun(t *testing.T) {
	stale := []findings.Deviation{{Operation: "instanceDelete", Kind: findings.UndeclaredStatus, Quirk: "delete-conflict"}}
	if err := checkStaleQuirks(&findings.Report{FullRun: true, Stale: stale}); err == nil || !strings.Contains(err.Error(), "delete-conflict") {
		t.Fatalf("err = %v", err)
	}
	if err := checkStaleQuirks(&findings.Report{FullRun: true, RealAPI: true, Stale: stale}); err != nil {
		t.Fatalf("a live run reports staleness, it does not fail on it: %v", err)
	}
	if err := checkStaleQuirks(&findings.Report{FullRun: false, Stale: stale}); err != nil {
		t.Fatalf("a partial run cannot judge staleness: %v", err)
	}
}
