package version

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloud"
)

func TestFromBuildInfo(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		want Info
		line string
	}{
		{"no build info", nil, Info{Version: cloud.Version}, "chcloud version " + cloud.Version},
		{"go run or tests: (devel), nothing stamped", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			Info{Version: cloud.Version}, "chcloud version " + cloud.Version},
		{"release: tagged and clean", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"},
			Settings: settings("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-09-01T10:00:00Z", "vcs.modified", "false")},
			Info{Version: "v1.2.3", Commit: rev, CommitTime: "2026-09-01T10:00:00Z", GoVersion: "go1.26.0"},
			"chcloud version v1.2.3 (0123456789ab)"},
		{"clone with changes", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20260901100000-0123456789ab+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true")},
			Info{Version: "v1.2.4-0.20260901100000-0123456789ab+dirty", Commit: rev, Modified: true},
			"chcloud version v1.2.4-0.20260901100000-0123456789ab+dirty (0123456789ab, modified)"},
		{"go install module@version: no VCS", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			Info{Version: "v1.2.3"}, "chcloud version v1.2.3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := fromBuildInfo(c.bi)
			if c.want.GoVersion == "" {
				c.want.GoVersion = runtime.Version()
			}
			c.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got != c.want {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
			if got.line() != c.line {
				t.Errorf("line %q, want %q", got.line(), c.line)
			}
		})
	}
}

// moduleRoot is the repository checkout this test runs in.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// TestBuiltBinaryReportsItsCommit builds chcloud the way `make install` does and checks that
// `chcloud version` reports the checkout's commit and whether it has changes, read from the
// build info. It needs git and a checkout (CI has both); from a source archive there is no
// commit to report, and the test says so and stops.
func TestBuiltBinaryReportsItsCommit(t *testing.T) {
	root := moduleRoot(t)
	if _, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output(); err != nil {
		t.Skipf("not a git checkout (or no git): %v", err)
	}
	// The go command stamps VCS information only where .git is a directory: a linked worktree
	// (.git is a file) builds without it, whatever -buildvcs says.
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		t.Skip("the checkout is a linked git worktree, which the go command does not stamp")
	}
	// What git says before and after the build must agree: in a checkout where others commit or
	// edit meanwhile, there is no one answer to compare with.
	gitState := func() (head, status string) {
		h, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		s, err := exec.Command("git", "-C", root, "status", "--porcelain").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(h)), strings.TrimSpace(string(s))
	}
	head, status := gitState()
	bin := filepath.Join(t.TempDir(), "chcloud")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, "./cmd/chcloud")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if h, s := gitState(); h != head || (s == "") != (status == "") {
		t.Skip("the checkout changed while the binary was built")
	}
	out, err := exec.Command(bin, "version", "--output", "json").Output()
	if err != nil {
		t.Fatalf("chcloud version: %v", err)
	}
	var got Info
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Commit != head {
		t.Errorf("commit %q, want %q (HEAD)", got.Commit, head)
	}
	// The toolchain sets vcs.modified from the same command: untracked files that are not
	// ignored count as changes.
	if dirty := status != ""; got.Modified != dirty {
		t.Errorf("modified %v, but git status says %v", got.Modified, dirty)
	}
	if got.Version == "" || got.Version == "(devel)" || got.CommitTime == "" {
		t.Errorf("version %q, commit time %q", got.Version, got.CommitTime)
	}
	line, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(line), got.Commit[:12]) {
		t.Errorf("--version %q (%v), want the commit", line, err)
	}
}
