package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

// A wait that is interrupted (Ctrl-C cancels the context) or runs out of --timeout says what is
// still going on on the server instead of failing obscurely.
func TestInterruptedWaitSaysWhatIsInProgress(t *testing.T) {
	env := clitest.New(t, false, cloudtest.WithProvisioningDelay(time.Hour))

	ctx, cancel := context.WithCancel(t.Context())
	stop := time.AfterFunc(100*time.Millisecond, cancel) // the user presses Ctrl-C
	defer stop.Stop()
	err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "slow", Provider: "aws", Region: "us-east-1", Wait: true})
	if err == nil || !strings.Contains(err.Error(), "stopped waiting") || !strings.Contains(err.Error(), "still provisioning on the server") {
		t.Fatalf("interrupted wait: %v", err)
	}
	// The password was printed before the wait: it must not be lost.
	if !strings.Contains(env.Out.String(), `"password"`) {
		t.Errorf("the creation answer was not printed before the interrupted wait:\n%s", env.Out)
	}

	env.Out.Reset()
	env.F.Timeout = 50 * time.Millisecond
	err = RunCreate(t.Context(), &CreateOptions{F: env.F, Name: "slow2", Provider: "aws", Region: "us-east-1", Wait: true})
	if err == nil || !strings.Contains(err.Error(), "timed out after") || !strings.Contains(err.Error(), "last state: provisioning") {
		t.Fatalf("timed-out wait: %v", err)
	}
}

func TestDebugLogIsRedacted(t *testing.T) {
	env := clitest.New(t, false)
	env.F.Debug = true
	if err := RunList(t.Context(), &ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	log := env.ErrOut.String()
	if !strings.Contains(log, "/v1/organizations") {
		t.Errorf("--debug logged no request:\n%s", log)
	}
	if strings.Contains(log, env.Server.KeySecret) {
		t.Error("--debug logged the key secret")
	}
}
