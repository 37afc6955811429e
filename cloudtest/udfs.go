package cloudtest

import (
	"encoding/json"
	"maps"
	"net/http"
)

func init() {
	maps.Copy(handlers, map[string]handler{
		"udfAttach": udfAttach,
	})
}

// udfAttach needs a running service, like ClickPipe creation; its documented 424 carries the
// reason, the service state and whether waking the service would help.
func udfAttach(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	if svc.state == "running" {
		return q.synthesized()
	}
	code, canWake := "SERVICE_NOT_RUNNING", false
	switch svc.state {
	case "idle":
		code, canWake = "SERVICE_IDLE", true
	case "stopped", "stopping":
		code = "SERVICE_STOPPED"
	}
	body, _ := json.Marshal(struct {
		Status       int    `json:"status"`
		RequestID    string `json:"requestId"`
		Error        string `json:"error"`
		Code         string `json:"code"`
		ServiceState string `json:"serviceState"`
		CanWake      bool   `json:"canWake"`
	}{http.StatusFailedDependency, q.requestID,
		"FAILED_DEPENDENCY: The service must be running before the UDF can be attached. Current state: " + svc.state,
		code, svc.state, canWake})
	return response{status: http.StatusFailedDependency, contentType: "application/json", body: body}
}
