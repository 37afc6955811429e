package cli_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Start-up budget (issue 13 §7). Wall-clock start-up is measured by BenchmarkStartup; this test
// pins what can be counted exactly and is what made start-up slow: the memory package
// initialisers allocate before main runs. A library compiling schemas or parsing documents at
// init shows up here as hundreds of kilobytes (jsonschema/v6 allocated 1.7 MB before its patch).
const (
	initBudgetPerOwnPackage = 16 << 10  // each chcloud package (the largest, cloudtest, about 11 KB)
	initBudgetJSONSchema    = 64 << 10  // the patched copy (internal/thirdparty/jsonschema)
	initBudgetGojq          = 16 << 10  // the patched copy (internal/thirdparty/gojq); 220 KB upstream
	initBudgetTotal         = 768 << 10 // everything linked: about 660 KB today, 330 KB of it oasdiff's messages
)

func TestStartupInitAllocations(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--help"}} {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chcloud %v: %v\n%s", args, err, stderr.String())
		}
		inits := parseInitTrace(t, stderr.String())
		if len(inits) < 50 {
			t.Fatalf("chcloud %v: only %d init lines in GODEBUG=inittrace output:\n%s", args, len(inits), stderr.String())
		}
		total := 0
		for pkg, bytes := range inits {
			total += bytes
			switch {
			case strings.HasPrefix(pkg, "github.com/chcloud-dev/chcloud/") && bytes > initBudgetPerOwnPackage:
				t.Errorf("%s allocates %d bytes at init (budget %d): build it on first use (sync.OnceValue)", pkg, bytes, initBudgetPerOwnPackage)
			case pkg == "github.com/santhosh-tekuri/jsonschema/v6" && bytes > initBudgetJSONSchema:
				t.Errorf("jsonschema/v6 allocates %d bytes at init (budget %d): is the patched copy in go.mod's replace still used?", bytes, initBudgetJSONSchema)
			case pkg == "github.com/itchyny/gojq" && bytes > initBudgetGojq:
				t.Errorf("gojq allocates %d bytes at init (budget %d): is the patched copy in go.mod's replace still used?", bytes, initBudgetGojq)
			}
		}
		if total > initBudgetTotal {
			t.Errorf("chcloud %v: package initialisers allocate %d bytes (budget %d); GODEBUG=inittrace=1 chcloud version shows who", args, total, initBudgetTotal)
		}
	}
}

// parseInitTrace reads lines such as
// "init github.com/x/y @1.2 ms, 0.3 ms clock, 4096 bytes, 12 allocs" into bytes by package.
func parseInitTrace(t *testing.T, trace string) map[string]int {
	inits := map[string]int{}
	lines := bufio.NewScanner(strings.NewReader(trace))
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) < 10 || fields[0] != "init" || fields[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(fields[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", lines.Text(), err)
		}
		inits[fields[1]] += n
	}
	return inits
}
