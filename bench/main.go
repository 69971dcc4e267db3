// Command bench compares this provider with hashicorp/aws on the same work: the same Terraform binary, the
// same emulator, configurations that produce the same resources and settings (checked by comparing what
// the emulator holds after each apply), side by side in one run. It reports wall time (median of runs),
// the provider processes' peak RSS and the API requests the emulator received, as a Markdown table that
// it prints and writes to bench/results/.
//
// Run it with `make bench`, which builds what it needs. Knobs, all environment variables:
//
//	BENCH_SCENARIOS     comma-separated, from small,servers,buckets,databases,move,query,floor,scale (default all but
//	                    scale)
//	BENCH_SIZES         bucket counts for the buckets scenario (default 10,100,500)
//	BENCH_SCALE_BUCKETS bucket counts for the scale scenario (default 1000; not in the default scenarios)
//	BENCH_SERVERS       server count for the servers scenario (default 50)
//	BENCH_DATABASES     database count for the databases scenario (default 5)
//	BENCH_MOVE_OBJECTS  object counts for the move scenario, comma-separated (default 10000)
//	BENCH_MOVE_DELAYS   delays added to every request of the move scenario, comma-separated Go durations such as
//	                    20ms,50ms: the move scenario then measures the latency-bound move (see movelat.go) with the
//	                    objects kept by an in-memory S3 (default none: the move on moto alone)
//	BENCH_MOVE_MOTO_OBJECTS object count of the latency-bound move's check of moto's own pace (default 500)
//	BENCH_QUERY_BUCKETS bucket counts for the query scenario, comma-separated (default 1000)
//	BENCH_FLOOR_RESOURCES resource counts for the floor scenario, comma-separated (default 2)
//	BENCH_FLOOR_RUNS    turns of the floor scenario; figures are medians (default 9)
//	BENCH_RUNS          runs per scenario and provider; figures are medians (default 3)
//	BENCH_PROVIDERS     gdpr,aws (default); gdpr alone measures this provider without comparison
//	BENCH_PARALLELISM   Terraform's -parallelism (default 10, Terraform's own default)
//	BENCH_LABEL         suffix of the results file name (default: the scenarios)
//	TERRAFORM, MOTO_SERVER, AWS_PROVIDER_BINARY, AWS_PROVIDER_VERSION, AWS_CLI  what to run
//
// The move scenario measures gdpr_bucket's data-moving replacement against `aws s3 sync` (the AWS CLI,
// AWS_CLI or aws on PATH), since hashicorp/aws has no equivalent; it needs gdpr among BENCH_PROVIDERS and
// no hashicorp/aws binary. The query scenario measures `terraform query` over the gdpr_bucket list resource;
// it needs a TERRAFORM of version 1.14 or later, gdpr among BENCH_PROVIDERS, and no hashicorp/aws binary.
// The floor scenario times validate and no-change plans of this provider against the smallest framework
// provider (bench/floor, built in the same run) and Terraform alone over as many resources (see floor.go);
// it needs gdpr among BENCH_PROVIDERS and no hashicorp/aws binary.
package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	scenarios   []scenario
	runs        int
	floorRuns   int
	providers   []string
	parallelism int
	label       string
	// moveDelays and motoObjects set the latency-bound mode of the move scenario (see movelat.go).
	moveDelays  []time.Duration
	motoObjects int

	terraform  string
	moto       string
	awsCLI     string
	awsBinary  string
	awsVersion string
	repo       string
	cache      string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	o, err := parseOptions()
	if err != nil {
		return err
	}
	plugins, err := preparePlugins(o)
	if err != nil {
		return err
	}
	emu, err := startEmulator(o.moto, filepath.Join(o.repo, "scripts", "moto-tls.py"), filepath.Join(o.cache, "emulator"))
	if err != nil {
		return err
	}
	defer emu.Stop()
	// moto runs in a process group of its own, which a Ctrl-C at the terminal does not reach: stopped any
	// other way than by returning, the benchmark would leave it running.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-interrupted
		emu.Stop()
		fmt.Fprintln(os.Stderr, "bench: stopped by", s)
		os.Exit(1)
	}()

	cliConfig := filepath.Join(o.cache, "bench.tfrc")
	if err := os.WriteFile(cliConfig, []byte(devOverrides(plugins)), 0o600); err != nil {
		return err
	}
	floorCLIConfig := filepath.Join(o.cache, "floor.tfrc")
	if err := os.WriteFile(floorCLIConfig, []byte(floorOverrides(plugins)), 0o600); err != nil {
		return err
	}
	r := &runner{o: o, emu: emu, cliConfig: cliConfig, floorCLIConfig: floorCLIConfig, rssFile: filepath.Join(o.cache, "rss")}
	var results []*scenarioResult
	var failures []error
	file := filepath.Join(o.repo, "bench", "results", time.Now().UTC().Format("2006-01-02")+"-"+o.label+".md")
	for _, sc := range o.scenarios {
		res, err := r.scenario(sc)
		if res != nil {
			results = append(results, res)
			// Written after each scenario, so a long run stopped later keeps the figures it has.
			if err := writeReport(file, renderReport(o, results, machineInfo(o))); err != nil {
				return err
			}
		}
		if err != nil {
			// One broken scenario must not hide the figures of the others, but the run fails.
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", sc.name, err)
			failures = append(failures, fmt.Errorf("%s: %w", sc.name, err))
		}
	}
	if len(results) > 0 {
		fmt.Print(renderReport(o, results, machineInfo(o)))
		fmt.Fprintln(os.Stderr, "bench: wrote", file)
	}
	return errors.Join(failures...)
}

func parseOptions() (*options, error) {
	repo, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	o := &options{
		runs:        envInt("BENCH_RUNS", 3),
		floorRuns:   envInt("BENCH_FLOOR_RUNS", 9),
		parallelism: envInt("BENCH_PARALLELISM", 10),
		providers:   envList("BENCH_PROVIDERS", "gdpr,aws"),
		terraform:   envOr("TERRAFORM", "terraform"),
		moto:        envOr("MOTO_SERVER", "moto_server"),
		awsCLI:      envOr("AWS_CLI", "aws"),
		awsBinary:   os.Getenv("AWS_PROVIDER_BINARY"),
		awsVersion:  envOr("AWS_PROVIDER_VERSION", "unknown version"),
		repo:        repo,
		cache:       filepath.Join(repo, ".cache", "bench"),
	}
	if o.runs < 1 || o.floorRuns < 1 || o.parallelism < 1 {
		return nil, errors.New("BENCH_RUNS, BENCH_FLOOR_RUNS and BENCH_PARALLELISM must be positive")
	}
	for _, p := range o.providers {
		if p != gdpr && p != aws {
			return nil, fmt.Errorf("BENCH_PROVIDERS: unknown provider %q; allowed: gdpr, aws", p)
		}
	}
	// The scale scenario runs only when asked for: hashicorp/aws's side of it alone takes half an hour.
	defaults := slices.DeleteFunc(slices.Clone(scenarioNames), func(n string) bool { return n == "scale" })
	names := envList("BENCH_SCENARIOS", strings.Join(defaults, ","))
	for _, name := range names {
		if !validScenario(name) {
			return nil, fmt.Errorf("BENCH_SCENARIOS: unknown scenario %q; allowed: %s", name, strings.Join(scenarioNames, ", "))
		}
	}
	// The move, query and floor scenarios run this provider alone: hashicorp/aws is built and started only for
	// the others.
	if !slices.ContainsFunc(names, func(n string) bool { return n != "move" && n != "query" && n != "floor" }) && slices.Contains(o.providers, gdpr) {
		o.providers = []string{gdpr}
	}
	if slices.Contains(o.providers, aws) && o.awsBinary == "" {
		return nil, errors.New("AWS_PROVIDER_BINARY must name a hashicorp/aws provider binary (make bench builds one)")
	}
	for _, name := range names {
		switch name {
		case "small":
			o.scenarios = append(o.scenarios, smallScenario())
		case "servers":
			o.scenarios = append(o.scenarios, serversScenario(envInt("BENCH_SERVERS", 50)))
		case "databases":
			n := envInt("BENCH_DATABASES", 5)
			if n < 1 {
				return nil, errors.New("BENCH_DATABASES must be a positive number")
			}
			o.scenarios = append(o.scenarios, databasesScenario(n))
		case "buckets":
			for _, s := range envList("BENCH_SIZES", "10,100,500") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("BENCH_SIZES: %q is not a positive number", s)
				}
				o.scenarios = append(o.scenarios, bucketsScenario(n))
			}
		case "scale":
			for _, s := range envList("BENCH_SCALE_BUCKETS", "1000") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("BENCH_SCALE_BUCKETS: %q is not a positive number", s)
				}
				o.scenarios = append(o.scenarios, scaleScenario(n))
			}
		case "query":
			if !slices.Contains(o.providers, gdpr) {
				return nil, errors.New("BENCH_PROVIDERS: the query scenario measures gdpr, which the list must include")
			}
			for _, s := range envList("BENCH_QUERY_BUCKETS", "1000") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("BENCH_QUERY_BUCKETS: %q is not a positive number", s)
				}
				o.scenarios = append(o.scenarios, queryScenario(n))
			}
		case "floor":
			if !slices.Contains(o.providers, gdpr) {
				return nil, errors.New("BENCH_PROVIDERS: the floor scenario measures gdpr, which the list must include")
			}
			for _, s := range envList("BENCH_FLOOR_RESOURCES", "2") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("BENCH_FLOOR_RESOURCES: %q is not a positive number", s)
				}
				o.scenarios = append(o.scenarios, floorScenario(n))
			}
		case "move":
			if !slices.Contains(o.providers, gdpr) {
				return nil, errors.New("BENCH_PROVIDERS: the move scenario measures gdpr, which the list must include")
			}
			for _, s := range envList("BENCH_MOVE_DELAYS", "") {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("BENCH_MOVE_DELAYS: %q is not a positive duration such as 20ms", s)
				}
				o.moveDelays = append(o.moveDelays, d)
			}
			if o.motoObjects = envInt("BENCH_MOVE_MOTO_OBJECTS", 500); o.motoObjects < 1 {
				return nil, errors.New("BENCH_MOVE_MOTO_OBJECTS must be a positive number")
			}
			for _, s := range envList("BENCH_MOVE_OBJECTS", "10000") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("BENCH_MOVE_OBJECTS: %q is not a positive number", s)
				}
				sc := moveScenario(n)
				if len(o.moveDelays) > 0 {
					sc.name = fmt.Sprintf("move, latency-bound N=%d", n)
				}
				o.scenarios = append(o.scenarios, sc)
			}
			if path, err := exec.LookPath(o.awsCLI); err == nil {
				o.awsCLI = path
			} else {
				return nil, fmt.Errorf("the move scenario compares with the AWS CLI: %w", err)
			}
		}
	}
	o.label = envOr("BENCH_LABEL", strings.Join(names, "-"))
	if path, err := exec.LookPath(o.terraform); err == nil {
		o.terraform = path
	} else {
		return nil, fmt.Errorf("terraform: %w", err)
	}
	return o, os.MkdirAll(o.cache, 0o755)
}

// preparePlugins builds this provider and the RSS wrapper, and lays out one dev_overrides folder per
// provider: the wrapper under the provider's name, the real binary in real/ beside it.
func preparePlugins(o *options) (map[string]string, error) {
	wrapper := filepath.Join(o.cache, "rsswrap")
	if err := goBuild(o.repo, wrapper, "./bench/rsswrap", "-trimpath"); err != nil {
		return nil, err
	}
	dirs := map[string]string{}
	for _, p := range o.providers {
		dir := filepath.Join(o.cache, "plugins", p)
		name := "terraform-provider-" + p
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(dir, "real"), 0o755); err != nil {
			return nil, err
		}
		binary := filepath.Join(dir, "real", name)
		if p == gdpr {
			// Built as a release is (.goreleaser.yml: static, stripped), so users get the figures measured here.
			if err := goBuild(o.repo, binary, ".", "-trimpath", "-ldflags=-s -w"); err != nil {
				return nil, err
			}
		} else if err := os.Symlink(o.awsBinary, binary); err != nil {
			return nil, err
		}
		if err := os.Link(wrapper, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		dirs[p] = dir
	}
	// The floor provider serves the floor scenario and the floor columns of every scenario that measures gdpr.
	if slices.Contains(o.providers, gdpr) {
		dir := filepath.Join(o.cache, "plugins", floorFloor)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		// Built as this provider is, so the two differ only in what they serve.
		if err := goBuild(o.repo, filepath.Join(dir, "real", "terraform-provider-floor"), "./bench/floor", "-trimpath", "-ldflags=-s -w"); err != nil {
			return nil, err
		}
		if err := os.Link(wrapper, filepath.Join(dir, "terraform-provider-floor")); err != nil {
			return nil, err
		}
		dirs[floorFloor] = dir
	}
	return dirs, nil
}

func writeReport(file, report string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(report), 0o644)
}

// goBuild builds static binaries, without cgo, as the release does: a dynamically linked provider would also
// carry the C library's pages in its resident set.
func goBuild(repo, out, pkg string, flags ...string) error {
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), pkg)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = repo, os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// providerSources are the source addresses the benchmark's configurations give each provider.
var providerSources = map[string]string{gdpr: "gdpr-immutable/gdpr", aws: "hashicorp/aws", floorFloor: "bench/floor"}

// devOverrides points Terraform at the RSS wrapper of each provider.
func devOverrides(dirs map[string]string) string {
	return overridesConfig(dirs)
}

// floorOverrides points Terraform at the binaries of this provider and of the floor provider themselves.
func floorOverrides(dirs map[string]string) string {
	overrides := map[string]string{}
	for _, p := range []string{gdpr, floorFloor} {
		if dir, ok := dirs[p]; ok {
			overrides[p] = filepath.Join(dir, "real")
		}
	}
	return overridesConfig(overrides)
}

func overridesConfig(dirs map[string]string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, p := range slices.Sorted(maps.Keys(dirs)) {
		fmt.Fprintf(&b, "    %q = %q\n", providerSources[p], dirs[p])
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

func machineInfo(o *options) string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(line[strings.Index(line, ":")+1:])
				break
			}
		}
	}
	tf := "unknown"
	if out, err := exec.Command(o.terraform, "version").Output(); err == nil {
		tf = strings.SplitN(string(out), "\n", 2)[0]
	}
	gover := "unknown"
	if out, err := exec.Command("go", "version").Output(); err == nil {
		gover = strings.TrimSpace(string(out))
	}
	info := fmt.Sprintf("%d CPUs (%s); %s; %s; moto (emulator) through scripts/moto-tls.py on loopback, behind "+
		"counting proxies: plain HTTP for small, servers, buckets and databases, TLS for move", runtime.NumCPU(), cpu, tf, gover)
	if slices.Contains(o.providers, aws) {
		info += "; hashicorp/aws " + o.awsVersion
	}
	if slices.ContainsFunc(o.scenarios, func(sc scenario) bool { return sc.move }) {
		cli := "unknown"
		// AWS CLI 1.x prints its version on standard error.
		if out, err := exec.Command(o.awsCLI, "--version").CombinedOutput(); err == nil && len(strings.Fields(string(out))) > 0 {
			cli = strings.Fields(string(out))[0]
		}
		info += "; " + cli
	}
	return info
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	v, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return def
	}
	return v
}

func envList(name, def string) []string {
	var out []string
	for _, s := range strings.Split(envOr(name, def), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
