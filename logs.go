package main

import "os"

// discardedLogLevels are the variables that set the levels of the provider's own logs and of the plugin SDK's
// (terraform-plugin-go names the first after the provider). Left unset, each logs at TRACE: some 140 JSON
// lines for each bucket in a plan.
var discardedLogLevels = []string{"TF_LOG_PROVIDER_GDPR", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// skipDiscardedLogs turns the provider's logs off when Terraform (or OpenTofu) would throw them away: it
// keeps a provider's log lines only when TF_LOG or TF_LOG_PROVIDER is set, and otherwise still reads and
// parses every line the provider writes before dropping it. A level the user set is kept. Debug mode is
// left alone, since its logs go to the user's console rather than to Terraform. Crash output does not pass
// through the loggers and reaches Terraform as before.
func skipDiscardedLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range discardedLogLevels {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "OFF")
		}
	}
}
