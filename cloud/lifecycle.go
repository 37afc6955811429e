package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// Service states that end a wait with a *StateError unless they are among the states waited for.
var serviceFailureStates = []cloudapi.ServiceState{cloudapi.ServiceStateFailed, cloudapi.ServiceStateDegraded}

// ClickPipe states that end a wait with a *StateError unless waited for.
var clickPipeFailureStates = []cloudapi.ClickPipeState{cloudapi.ClickPipeStateFailed, cloudapi.ClickPipeStateInternalError, cloudapi.ClickPipeStateDegraded}

// Postgres states that end a wait with a *StateError unless waited for. The document defines no
// "failed" state; "unavailable" is the one a service does not leave on its own.
var postgresFailureStates = []cloudapi.PgStateProperty{cloudapi.PgStatePropertyUnavailable}

// WaitForServiceState polls the service until its state is one of want and returns it. The
// failed and degraded states end the wait with a *StateError (unless wanted), and so does the
// service disappearing; ctx bounds the wait.
func (c *Client) WaitForServiceState(ctx context.Context, orgID, serviceID string, want []cloudapi.ServiceState, opts ...WaitOption) (*cloudapi.Service, error) {
	var last *cloudapi.Service
	_, err := c.waitFor(ctx, poller{
		resource: "service", id: serviceID,
		want:   stateStrings(want),
		failed: stateStrings(without(serviceFailureStates, want)),
		get: func(ctx context.Context) (string, error) {
			svc, err := Result(c.InstanceGetWithResponse(ctx, orgID, serviceID))
			if err != nil {
				return "", err
			}
			last = svc
			return string(deref(svc.State)), nil
		},
	}, opts)
	if err != nil {
		return last, err
	}
	return last, nil
}

// ErrCommandIgnored is wrapped by StartService and WakeService when the API accepted the command
// but will not act on it, so that nobody waits for a state that will not come: "awake" only
// wakes an idle service, and "start" does not wake one (idle counts as started).
var ErrCommandIgnored = errors.New("the API accepts this command but does not act on it in this state")

// StartService asks a stopped service to start and returns the service as the API reports it at
// that moment (usually "starting"): wait with WaitForServiceState. An idle service counts as
// started and is not woken: the error wraps ErrCommandIgnored; use WakeService.
func (c *Client) StartService(ctx context.Context, orgID, serviceID string) (*cloudapi.Service, error) {
	svc, err := c.changeServiceState(ctx, orgID, serviceID, cloudapi.ServiceStatePatchRequestCommandStart)
	if err == nil && deref(svc.State) == cloudapi.ServiceStateIdle {
		err = fmt.Errorf("cloud: start service %s: it is idle, which counts as started (wake it instead): %w", serviceID, ErrCommandIgnored)
	}
	return svc, err
}

// StopService asks a service to stop and returns it as reported at that moment (usually "stopping").
func (c *Client) StopService(ctx context.Context, orgID, serviceID string) (*cloudapi.Service, error) {
	return c.changeServiceState(ctx, orgID, serviceID, cloudapi.ServiceStatePatchRequestCommandStop)
}

// WakeService wakes an idle service (command "awake") and returns it as reported at that moment.
// A stopped (or stopping) service is not started by it: the error wraps ErrCommandIgnored; use
// StartService.
func (c *Client) WakeService(ctx context.Context, orgID, serviceID string) (*cloudapi.Service, error) {
	svc, err := c.changeServiceState(ctx, orgID, serviceID, cloudapi.ServiceStatePatchRequestCommandAwake)
	if apiErr, ok := asAPIError(err); ok && apiErr.StatusCode == http.StatusBadRequest && strings.Contains(apiErr.Message, "must be in idle state") {
		// The real API also refuses "awake" outright, with a plain-text 400, when the service
		// is not idle: the same situation as an accepted command that does nothing.
		current, getErr := Result(c.InstanceGetWithResponse(ctx, orgID, serviceID))
		if getErr != nil {
			return nil, fmt.Errorf("cloud: awake service %s: it is not idle (%s): %w", serviceID, apiErr.Message, errors.Join(ErrCommandIgnored, err))
		}
		svc, err = current, nil
	}
	if err != nil {
		return nil, err
	}
	if state := deref(svc.State); state == cloudapi.ServiceStateStopped || state == cloudapi.ServiceStateStopping {
		err = fmt.Errorf("cloud: awake service %s: it is %s, and awake only wakes an idle service (start it instead): %w", serviceID, state, ErrCommandIgnored)
	}
	return svc, err
}

func (c *Client) changeServiceState(ctx context.Context, orgID, serviceID string, cmd cloudapi.ServiceStatePatchRequestCommand) (*cloudapi.Service, error) {
	svc, err := Result(c.InstanceStateUpdateWithResponse(ctx, orgID, serviceID,
		cloudapi.InstanceStateUpdateJSONRequestBody{Command: &cmd}))
	if errors.Is(err, ErrNoResult) {
		// Accepted, answered with a bare {}: read the state it left the service in.
		svc, err = Result(c.InstanceGetWithResponse(ctx, orgID, serviceID))
	}
	if err != nil {
		return nil, fmt.Errorf("cloud: %s service %s: %w", cmd, serviceID, err)
	}
	return svc, nil
}

// DeleteService deletes a service the way the API needs it done: stop it unless it is stopped,
// wait until it is stopped, send DELETE and repeat it while the API answers 409 CONFLICT (it does
// for a while after reporting "stopped"), then poll until the service is gone (404). A service
// that does not exist is not an error. The wait options apply to every wait on the way.
func (c *Client) DeleteService(ctx context.Context, orgID, serviceID string, opts ...WaitOption) error {
	svc, err := Result(c.InstanceGetWithResponse(ctx, orgID, serviceID))
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cloud: deleting service %s: %w", serviceID, err)
	}
	switch state := deref(svc.State); state {
	case cloudapi.ServiceStateStopped, cloudapi.ServiceStateFailed, cloudapi.ServiceStateTerminating,
		cloudapi.ServiceStateTerminated, cloudapi.ServiceStateSoftdeleting, cloudapi.ServiceStateSoftdeleted:
		// Nothing to stop: a failed service cannot be stopped, and the last four are on their way out.
	default:
		if state != cloudapi.ServiceStateStopping {
			if _, err := c.StopService(ctx, orgID, serviceID); err != nil && !IsConflict(err) {
				return fmt.Errorf("cloud: deleting service %s: %w", serviceID, err)
			}
		}
		_, err := c.WaitForServiceState(ctx, orgID, serviceID, []cloudapi.ServiceState{cloudapi.ServiceStateStopped}, opts...)
		if IsNotFound(err) || isGone(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cloud: deleting service %s: %w", serviceID, err)
		}
	}
	if err := c.deleteUntilAccepted(ctx, orgID, serviceID, opts); err != nil {
		return err
	}
	_, err = c.waitFor(ctx, poller{
		resource: "service", id: serviceID, want: []string{"deleted"}, goneIsDone: true,
		get: func(ctx context.Context) (string, error) {
			svc, err := Result(c.InstanceGetWithResponse(ctx, orgID, serviceID))
			if err != nil {
				return "", err
			}
			return string(deref(svc.State)), nil
		},
	}, opts)
	if err != nil {
		return fmt.Errorf("cloud: deleting service %s: %w", serviceID, err)
	}
	return nil
}

// deleteUntilAccepted sends DELETE, repeating it on 409 with the wait's poll spacing.
func (c *Client) deleteUntilAccepted(ctx context.Context, orgID, serviceID string, opts []WaitOption) error {
	_, err := c.waitFor(ctx, poller{
		resource: "service", id: serviceID, want: []string{"accepted"}, goneIsDone: true,
		get: func(ctx context.Context) (string, error) {
			err := Check(c.InstanceDeleteWithResponse(ctx, orgID, serviceID))
			switch {
			case err == nil:
				return "accepted", nil
			case IsConflict(err):
				return "conflict", nil // not deletable yet: poll again
			default:
				return "", err
			}
		},
	}, opts)
	if err != nil {
		return fmt.Errorf("cloud: deleting service %s: %w", serviceID, err)
	}
	return nil
}

func isGone(err error) bool {
	var se *StateError
	return errors.As(err, &se) && se.State == "deleted"
}

// WaitForClickPipeState polls a ClickPipe until its state is one of want (ClickPipe states are
// capitalised: "Running", "Paused"...). Failed, InternalError and Degraded end the wait with a
// *StateError unless wanted.
func (c *Client) WaitForClickPipeState(ctx context.Context, orgID, serviceID, clickPipeID string, want []cloudapi.ClickPipeState, opts ...WaitOption) (*cloudapi.ClickPipe, error) {
	var last *cloudapi.ClickPipe
	_, err := c.waitFor(ctx, poller{
		resource: "ClickPipe", id: clickPipeID,
		want:   stateStrings(want),
		failed: stateStrings(without(clickPipeFailureStates, want)),
		get: func(ctx context.Context) (string, error) {
			pipe, err := Result(c.ClickPipeGetWithResponse(ctx, orgID, serviceID, clickPipeID))
			if err != nil {
				return "", err
			}
			last = pipe
			return string(deref(pipe.State)), nil
		},
	}, opts)
	return last, err
}

// WaitForPostgresState polls a Postgres service until its state is one of want ("running",
// "stopped"...). "unavailable" ends the wait with a *StateError unless wanted.
func (c *Client) WaitForPostgresState(ctx context.Context, orgID, postgresID string, want []cloudapi.PgStateProperty, opts ...WaitOption) (*cloudapi.PostgresService, error) {
	var last *cloudapi.PostgresService
	_, err := c.waitFor(ctx, poller{
		resource: "Postgres service", id: postgresID,
		want:   stateStrings(want),
		failed: stateStrings(without(postgresFailureStates, want)),
		get: func(ctx context.Context) (string, error) {
			pg, err := Result(c.PostgresServiceGetWithResponse(ctx, orgID, postgresID))
			if err != nil {
				return "", err
			}
			last = pg
			return string(deref(pg.State)), nil
		},
	}, opts)
	return last, err
}

func without[S comparable](all, except []S) []S {
	var out []S
	for _, s := range all {
		if !slices.Contains(except, s) {
			out = append(out, s)
		}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
