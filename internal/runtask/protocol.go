package runtask

// Request is the body HCP Terraform and Terraform Enterprise POST to a run task's URL, as the run task
// integration API documents it (payload_version 1). Fields this server does not read are kept so that the
// type documents the whole payload and a test can send a faithful one.
type Request struct {
	PayloadVersion             int    `json:"payload_version"`
	AccessToken                string `json:"access_token"`
	Stage                      string `json:"stage"`
	IsSpeculative              bool   `json:"is_speculative"`
	TaskResultID               string `json:"task_result_id"`
	TaskResultEnforcementLevel string `json:"task_result_enforcement_level"`
	TaskResultCallbackURL      string `json:"task_result_callback_url"`
	RunAppURL                  string `json:"run_app_url"`
	RunID                      string `json:"run_id"`
	RunMessage                 string `json:"run_message"`
	// RunCreatedAt is kept as sent: the server does not read it, and a request must not be refused for
	// a timestamp format the documentation does not pin down.
	RunCreatedAt              string `json:"run_created_at"`
	RunCreatedBy              string `json:"run_created_by"`
	WorkspaceID               string `json:"workspace_id"`
	WorkspaceName             string `json:"workspace_name"`
	WorkspaceAppURL           string `json:"workspace_app_url"`
	WorkspaceWorkingDirectory string `json:"workspace_working_directory,omitempty"`
	OrganizationName          string `json:"organization_name"`
	// PlanJSONAPIURL is set at the post_plan, pre_apply and post_apply stages only.
	PlanJSONAPIURL                  string `json:"plan_json_api_url,omitempty"`
	ConfigurationVersionID          string `json:"configuration_version_id,omitempty"`
	ConfigurationVersionDownloadURL string `json:"configuration_version_download_url,omitempty"`
	VCSRepoURL                      string `json:"vcs_repo_url,omitempty"`
	VCSBranch                       string `json:"vcs_branch,omitempty"`
	VCSPullRequestURL               string `json:"vcs_pull_request_url,omitempty"`
	VCSCommitURL                    string `json:"vcs_commit_url,omitempty"`
	// Capabilities is absent from Terraform Enterprise releases older than outcomes.
	Capabilities *Capabilities `json:"capabilities,omitempty"`
}

// Capabilities are what the caller accepts in a callback.
type Capabilities struct {
	// Outcomes is whether the caller accepts detailed outcomes; without it, a callback carries none.
	Outcomes bool `json:"outcomes"`
}

// verificationToken is the access token of the request HCP Terraform sends when a run task is created or
// its URL or HMAC key changes, to check that the URL answers. The API documentation does not spell out how
// to recognise that request; HashiCorp's own scaffolding for run tasks in Go
// (hashicorp/terraform-run-task-scaffolding-go) recognises it by this token alone and answers 200 without a
// callback, since the token is not valid for the callback URL. The request is signed like any other when
// the task has an HMAC key, so it is checked like any other.
const verificationToken = "test-token"

// IsVerification reports whether r is the request HCP Terraform sends to check the URL of a new run task.
func (r Request) IsVerification() bool { return r.AccessToken == verificationToken }

// signatureHeader carries the hex HMAC-SHA512 of the raw body, keyed with the run task's HMAC key.
const signatureHeader = "X-TFC-Task-Signature"

// jsonAPIMediaType is the media type of the callback, a JSON:API document.
const jsonAPIMediaType = "application/vnd.api+json"

// The statuses a callback can set. HCP Terraform waits while a result is running.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusRunning = "running"
)

// Callback is the body of the PATCH to task_result_callback_url.
type Callback struct {
	Data CallbackData `json:"data"`
}

// CallbackData is the task-results resource of a callback.
type CallbackData struct {
	Type          string                 `json:"type"`
	Attributes    CallbackAttributes     `json:"attributes"`
	Relationships *CallbackRelationships `json:"relationships,omitempty"`
}

// CallbackAttributes are the task result's status, a one-line message and an optional link.
type CallbackAttributes struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	URL     string `json:"url,omitempty"`
}

// CallbackRelationships carries the task result's outcomes, which HCP Terraform shows one by one.
type CallbackRelationships struct {
	Outcomes OutcomeList `json:"outcomes"`
}

// OutcomeList is the outcomes relationship.
type OutcomeList struct {
	Data []Outcome `json:"data"`
}

// Outcome is one finding, a task-result-outcomes resource.
type Outcome struct {
	Type       string            `json:"type"`
	Attributes OutcomeAttributes `json:"attributes"`
}

// OutcomeAttributes describe one finding: its id, a one-line description, a Markdown body, an optional link,
// and tags that HCP Terraform shows as columns, each with a label and a level (none, info, warning, error).
type OutcomeAttributes struct {
	OutcomeID   string           `json:"outcome-id"`
	Description string           `json:"description"`
	Body        string           `json:"body,omitempty"`
	URL         string           `json:"url,omitempty"`
	Tags        map[string][]Tag `json:"tags,omitempty"`
}

// Tag is one value of an outcome's tag column.
type Tag struct {
	Label string `json:"label"`
	Level string `json:"level,omitempty"`
}
