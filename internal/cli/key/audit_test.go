package key

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

const auditDay = 24 * time.Hour

// auditWorld is an organization with one key for each rule of the audit. The fake's clock
// starts 200 days ago, when the keys are made (and some used or disabled), and is then moved to
// a minute before the real time, which the audit judges by: no test waits for anything.
type auditWorld struct {
	env   *clitest.Env
	clock *cloudtest.ManualClock
}

func newAuditWorld(t *testing.T, tty bool) *auditWorld {
	t.Helper()
	now := time.Now().UTC()
	clock := cloudtest.NewManualClock(now.Add(-200 * auditDay))
	w := &auditWorld{env: clitest.New(t, false, cloudtest.WithClock(clock)), clock: clock}
	restricted := []string{"--ip-allow", "10.0.0.0/8"}
	for _, k := range [][]string{
		{"--name", "expired", "--role", "developer", "--expires", clock.Now().Add(10 * auditDay).Format(time.RFC3339)},
		{"--name", "expiring", "--role", "developer", "--expires", now.Add(5 * auditDay).Format(time.RFC3339)},
		{"--name", "admin-forever", "--role", "admin", "--expires", "never"},
		{"--name", "admin-2", "--role", "admin", "--expires", now.Add(300 * auditDay).Format(time.RFC3339)},
		{"--name", "open", "--role", "developer", "--expires", now.Add(300 * auditDay).Format(time.RFC3339), "--ip-allow", "::/0"},
		{"--name", "stale", "--role", "developer", "--expires", now.Add(300 * auditDay).Format(time.RFC3339)},
		{"--name", "never", "--role", "developer", "--expires", now.Add(300 * auditDay).Format(time.RFC3339)},
		{"--name", "retired", "--role", "developer", "--expires", now.Add(300 * auditDay).Format(time.RFC3339)},
	} {
		args := append([]string{"create"}, k...)
		if !slices.Contains(k, "--ip-allow") {
			args = append(args, restricted...)
		}
		created := w.mustRun(t, args...)
		var c struct{ KeyID, KeySecret string }
		if err := json.Unmarshal(created, &c); err != nil {
			t.Fatal(err)
		}
		switch k[1] {
		case "stale", "retired", "expiring", "admin-forever", "admin-2", "open":
			// Used once, 200 days ago; the ones meant for other rules are used again below.
			w.use(t, c.KeyID, c.KeySecret)
			if k[1] != "stale" && k[1] != "retired" {
				defer w.use(t, c.KeyID, c.KeySecret)
			}
		}
	}
	w.mustRun(t, "disable", "retired")
	defer clock.Set(now.Add(-time.Minute)) // before the deferred uses: they happen "now"
	w.env.F.IOStreams.SetTTY(tty)
	return w
}

func (w *auditWorld) mustRun(t *testing.T, args ...string) []byte {
	t.Helper()
	w.env.F.ResetClient()
	if err := w.env.Execute(NewCommand(w.env.F), args...); err != nil {
		t.Fatalf("key %v: %s", args, clitest.Printed(err))
	}
	return w.env.Out.Bytes()
}

// use makes one authenticated call with a key, which the fake records as its last use.
func (w *auditWorld) use(t *testing.T, id, secret string) {
	t.Helper()
	c, err := cloud.New(cloud.WithBaseURL(w.env.Server.URL), cloud.WithCredentials(id, secret), cloud.WithoutRateLimit())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OrganizationID(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func (w *auditWorld) audit(t *testing.T, args ...string) ([]cloud.KeyFinding, error) {
	t.Helper()
	w.env.F.ResetClient()
	err := w.env.Execute(NewCommand(w.env.F), append([]string{"audit"}, args...)...)
	if err != nil && cmdutil.ExitCode(err) != cmdutil.ExitFindings {
		t.Fatalf("key audit %v: %s", args, clitest.Printed(err))
	}
	var findings []cloud.KeyFinding
	if jerr := json.Unmarshal(w.env.Out.Bytes(), &findings); jerr != nil {
		t.Fatalf("key audit printed %s (%v)", w.env.Out, jerr)
	}
	return findings, err
}

// TestAuditReportsEveryRule: each rule of the SDK's table shows in the CLI's output for the key
// seeded to break it, at the rule's level, and a new rule without a case here fails the test.
func TestAuditReportsEveryRule(t *testing.T) {
	w := newAuditWorld(t, false)
	// "-o json" is a flag of the root command; the key tests set the format on the factory.
	w.env.F.Output.Format = "json"
	findings, err := w.audit(t, "--max-admin", "2")
	if err != nil {
		t.Fatal(clitest.Printed(err))
	}
	want := []struct{ key, rule string }{
		{"expired", cloud.RuleExpiredEnabled},
		{"fake-admin-key", cloud.RuleAdminNoExpiryOpen},
		{"expiring", cloud.RuleExpiring},
		{"admin-forever", cloud.RuleAdminNoExpiry},
		{"open", cloud.RuleOpenToAll},
		{"stale", cloud.RuleUnused},
		{"admin-2", cloud.RuleTooManyAdmins},
		{"never", cloud.RuleNeverUsed},
		{"retired", cloud.RuleDeleteCandidate},
	}
	var covered []string
	for _, c := range want {
		covered = append(covered, c.rule)
		i := slices.IndexFunc(findings, func(f cloud.KeyFinding) bool { return f.KeyName == c.key && f.Rule == c.rule })
		if i < 0 {
			t.Errorf("no %s finding for key %q in %+v", c.rule, c.key, findings)
			continue
		}
		f := findings[i]
		if want := ruleLevelOf(t, c.rule); f.Level != want || f.Message == "" || f.KeyUUID == "" {
			t.Errorf("%s on %q: level %s (want %s), message %q, id %q", c.rule, c.key, f.Level, want, f.Message, f.KeyUUID)
		}
		if f.Current != (c.key == "fake-admin-key") {
			t.Errorf("%s on %q: current = %v", c.rule, c.key, f.Current)
		}
	}
	for _, r := range cloud.KeyAuditRules {
		if !slices.Contains(covered, r.ID) {
			t.Errorf("rule %s has no case in this test", r.ID)
		}
	}
	// Most serious first.
	if !slices.IsSortedFunc(findings, func(a, b cloud.KeyFinding) int { return levelRank(b.Level) - levelRank(a.Level) }) {
		t.Errorf("findings not sorted by level: %+v", findings)
	}
	// The thresholds come from the flags: with the defaults, three admin keys are not too many,
	// and a key last used 200 days ago is not "unused" under --unused 300d.
	findings, _ = w.audit(t, "--unused", "300d")
	for _, f := range findings {
		if f.Rule == cloud.RuleTooManyAdmins || f.Rule == cloud.RuleUnused {
			t.Errorf("with --max-admin 3 (default) and --unused 300d: %+v", f)
		}
	}
}

func ruleLevelOf(t *testing.T, id string) cloud.KeyFindingLevel {
	t.Helper()
	for _, r := range cloud.KeyAuditRules {
		if r.ID == id {
			return r.Level
		}
	}
	t.Fatalf("no rule %s in cloud.KeyAuditRules", id)
	return ""
}

func levelRank(l cloud.KeyFindingLevel) int {
	return slices.Index([]cloud.KeyFindingLevel{cloud.KeyFindingInfo, cloud.KeyFindingWarning, cloud.KeyFindingCritical}, l)
}

func TestAuditFailOnExitCodes(t *testing.T) {
	w := newAuditWorld(t, false)
	w.env.F.Output.Format = "json"
	for _, level := range []string{"critical", "warning"} {
		findings, err := w.audit(t, "--fail-on", level)
		if cmdutil.ExitCode(err) != cmdutil.ExitFindings || !strings.Contains(err.Error(), "at level "+level+" or above (--fail-on "+level+")") {
			t.Errorf("--fail-on %s with critical findings: %v (exit %d), want exit %d", level, err, cmdutil.ExitCode(err), cmdutil.ExitFindings)
		}
		if len(findings) == 0 {
			t.Errorf("--fail-on %s printed no findings before failing", level)
		}
	}
	if _, err := w.audit(t); err != nil {
		t.Errorf("without --fail-on, findings exit %d", cmdutil.ExitCode(err))
	}
	w.env.F.ResetClient()
	if err := w.env.Execute(NewCommand(w.env.F), "audit", "--fail-on", "info"); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("--fail-on info: %v, want a usage error", err)
	}
	if err := w.env.Execute(NewCommand(w.env.F), "audit", "--expiring", "soon"); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("--expiring soon: %v, want a usage error", err)
	}
}

func TestAuditOfAHealthyOrganizationPasses(t *testing.T) {
	env := clitest.New(t, true)
	run := func(args ...string) error {
		env.F.ResetClient()
		return env.Execute(NewCommand(env.F), args...)
	}
	if err := run("update", "fake-admin-key", "--ip-allow", "10.0.0.0/8", "--expires", "60d"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	if err := run("audit", "--fail-on", "warning"); err != nil {
		t.Fatalf("no findings, yet: %s\n%s", clitest.Printed(err), env.Out)
	}
	if env.Out.Len() != 0 || !strings.Contains(env.ErrOut.String(), "No findings: every API key passes the 9 rules") {
		t.Errorf("stdout %q, stderr %q", env.Out, env.ErrOut)
	}
	env.F.Output.Format = "json"
	if err := run("audit"); err != nil || strings.TrimSpace(env.Out.String()) != "[]" {
		t.Errorf("JSON of no findings: %q (%v), want []", env.Out, err)
	}
}

func TestAuditTableMarksTheKeyInUse(t *testing.T) {
	w := newAuditWorld(t, true)
	w.env.F.ResetClient()
	if err := w.env.Execute(NewCommand(w.env.F), "audit"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	out := w.env.Out.String()
	hasAll(t, "audit table", out, "LEVEL", "KEY", "RULE", "MESSAGE", "* fake-admin-key (…", "admin-no-expiry-open",
		"* the key chcloud is using")
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[1], "critical") {
		t.Errorf("the table does not start with the critical findings:\n%s", out)
	}
	for _, l := range lines {
		if strings.Contains(l, "* ") && !strings.Contains(l, "fake-admin-key") && !strings.HasPrefix(l, "*") {
			t.Errorf("a key not in use is marked: %s", l)
		}
	}
}

func TestAuditJSONYAMLAndJQ(t *testing.T) {
	w := newAuditWorld(t, false)
	w.env.F.Output.Format = "json"
	w.mustRun(t, "audit")
	var rows []map[string]any
	if err := json.Unmarshal(w.env.Out.Bytes(), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("JSON: %v\n%s", err, w.env.Out)
	}
	allowed := []string{"keyId", "keyName", "keySuffix", "rule", "level", "message", "current"}
	for _, r := range rows {
		for _, k := range []string{"keyId", "keyName", "rule", "level", "message"} {
			if _, ok := r[k]; !ok {
				t.Errorf("finding without %s: %v", k, r)
			}
		}
		for k := range r {
			if !slices.Contains(allowed, k) {
				t.Errorf("finding with an unknown field %s: %v", k, r)
			}
		}
	}

	w.env.F.Output.Format = "yaml"
	w.mustRun(t, "audit")
	var fromYAML []map[string]any
	if err := yaml.Unmarshal(w.env.Out.Bytes(), &fromYAML); err != nil || len(fromYAML) != len(rows) {
		t.Errorf("YAML: %d findings (%v), want %d", len(fromYAML), err, len(rows))
	}

	w.env.F.Output.Format = ""
	w.env.F.Output.JQ = `.[] | select(.level == "critical") | .keyName`
	w.mustRun(t, "audit")
	if got := strings.Fields(w.env.Out.String()); !slices.Equal(got, []string{"expired", "fake-admin-key"}) {
		t.Errorf("--jq critical key names: %q", got)
	}
}

func TestAuditHelpListsEveryRuleAndTheExitCode(t *testing.T) {
	env := clitest.NewOffline(t, false)
	if err := env.Execute(NewCommand(env.F), "audit", "--help"); err != nil {
		t.Fatal(err)
	}
	help := env.Out.String()
	for _, r := range cloud.KeyAuditRules {
		if !strings.Contains(help, string(r.Level)+"  ") || !strings.Contains(help, r.ID) || !strings.Contains(help, r.Description) {
			t.Errorf("help lacks rule %s (%s)", r.ID, r.Level)
		}
	}
	hasAll(t, "help", help, "exit code fit CI: 3 when a finding at LEVEL or above exists", "--expiring duration", "(default 14d)",
		"--unused duration", "(default 90d)", "--disabled duration", "(default 30d)", "--max-admin int", "(default 3)")
}
