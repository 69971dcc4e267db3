package runtask

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/planrules"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// Usage describes the run-task subcommand; the provider binary's --help prints it too.
const Usage = `usage: terraform-provider-gdpr run-task serve [--listen ADDR] [--hmac-key-env VAR]
           [--allowed-jurisdictions LIST] [--max-retention-days N] [--personal-data-key KEY]
           [--concurrency N] [--queue N] [--max-plan-bytes N]

serve    Serves an HCP Terraform / Terraform Enterprise run task at http://ADDR/ (default
         127.0.0.1:8080) that checks every plan, of every provider, against the gdpr rules: no
         in-place update or forget of a gdpr_* resource or of a resource tagged or labelled KEY
         (default gdpr-personal-data), residency of aws_*, azurerm_* and google_* resources in
         LIST (default EEA, as the provider's allowed_jurisdictions), retention settings of at most
         N days (default 3650), no ignore_changes on gdpr_* resources. The run task's HMAC key is
         read from the environment variable VAR (default GDPR_RUN_TASK_HMAC_KEY); the server does
         not start without one. Put it behind a TLS-terminating proxy: HCP Terraform needs https.
         It evaluates up to N plans at once (--concurrency, default 4) and queues up to N more
         (--queue, default 64); it refuses a plan's JSON larger than N bytes (--max-plan-bytes,
         default 268435456, 256 MiB). It runs until SIGINT or SIGTERM, then finishes the
         evaluations under way. Exit code: 0 after a clean stop, 1 when the server fails, 2 for
         a usage error.
`

// Main runs the run-task subcommand with the arguments after "run-task" and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, Usage)
		return 0
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, args[1:], os.Getenv, stdout, stderr, nil)
	}
	fmt.Fprint(stderr, Usage)
	return 2
}

// serve parses the flags, starts the server and blocks until ctx ends. ready, when set, receives the
// address the server listens on (tests listen on port 0).
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) int {
	set := flag.NewFlagSet("serve", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	listen := set.String("listen", "127.0.0.1:8080", "")
	keyEnv := set.String("hmac-key-env", "GDPR_RUN_TASK_HMAC_KEY", "")
	allowed := set.String("allowed-jurisdictions", policy.DefaultJurisdiction, "")
	maxDays := set.Int64("max-retention-days", policy.DefaultMaxRetentionDays, "")
	tagKey := set.String("personal-data-key", planrules.DefaultPersonalDataKey, "")
	concurrency := set.Int("concurrency", 4, "")
	queue := set.Int("queue", 64, "")
	maxPlan := set.Int64("max-plan-bytes", DefaultMaxPlanBytes, "")
	if err := set.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, Usage)
		return 0
	} else if err != nil {
		fmt.Fprintf(stderr, "%v\n\n%s", err, Usage)
		return 2
	}
	if set.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n\n%s", set.Arg(0), Usage)
		return 2
	}
	rules, problems := rulesFromFlags(*allowed, *maxDays, *tagKey)
	if *concurrency < 1 || *queue < 1 {
		problems = append(problems, "--concurrency and --queue must be at least 1")
	}
	if *maxPlan < 1<<20 {
		problems = append(problems, "--max-plan-bytes must be at least 1048576 (1 MiB)")
	}
	if *keyEnv == "" {
		problems = append(problems, "--hmac-key-env must name an environment variable")
	}
	key := getenv(*keyEnv)
	if *keyEnv != "" && key == "" {
		problems = append(problems, fmt.Sprintf("the environment variable %s holds no HMAC key: set it to the HMAC key of the run task in HCP Terraform (the server never runs unsigned)", *keyEnv))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "run-task serve: %s\n", strings.Join(problems, "; "))
		return 2
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := New(Options{HMACKey: []byte(key), Rules: rules, Concurrency: *concurrency, Queue: *queue, MaxPlanBytes: *maxPlan, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "run-task serve: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "run-task serve: %v\n", err)
		return 1
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	logger.Info("run task listening", "address", ln.Addr().String(), "allowed_jurisdictions", rules.AllowedJurisdictions,
		"max_retention_days", rules.MaxRetentionDays, "personal_data_key", rules.PersonalDataKey, "max_plan_bytes", *maxPlan)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errc:
		logger.Error("run task server failed", "error", err)
		code = 1
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_ = httpServer.Shutdown(shutdown)
	if err := srv.Close(shutdown); err != nil {
		logger.Error("evaluations still running at shutdown", "error", err)
		code = 1
	}
	logger.Info("run task stopped")
	return code
}

// rulesFromFlags checks the rule flags as the provider checks its own arguments, through policy.
func rulesFromFlags(allowed string, maxDays int64, tagKey string) (planrules.Config, []string) {
	var problems []string
	var list []string
	for _, v := range strings.Split(allowed, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if err := policy.ValidateJurisdictionValue(v); err != nil {
			problems = append(problems, "--allowed-jurisdictions: "+err.Error())
			continue
		}
		list = append(list, v)
	}
	if len(list) == 0 && len(problems) == 0 {
		problems = append(problems, "--allowed-jurisdictions must name at least one jurisdiction or country, such as EEA or EU,CH")
	}
	if maxDays < 1 {
		problems = append(problems, "--max-retention-days must be at least 1")
	}
	if tagKey == "" {
		problems = append(problems, "--personal-data-key must not be empty")
	}
	return planrules.Config{AllowedJurisdictions: list, MaxRetentionDays: maxDays, PersonalDataKey: tagKey}, problems
}
