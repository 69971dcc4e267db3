package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// measure is one step of one run.
type measure struct {
	wall     time.Duration
	rssKiB   int64 // the largest peak among the provider processes the step started
	requests map[string]int
}

type providerResult struct {
	// runs[r][s] is step s of run r.
	runs [][]measure
	// inventory is what the emulator held after the first apply.
	inventory []string
	// resources counts, by type, what the state held after the first apply.
	resources map[string]int
	// setup holds, per run, the import that stands for hashicorp/aws's apply in the scale scenario.
	setup []measure
}

type scenarioResult struct {
	sc        scenario
	providers map[string]*providerResult
	// diff lists what one provider made that the other did not; empty when they match.
	diff []string
	// moves holds the runs of a move scenario, which has no providers to compare (see move.go).
	moves []moveRun
	// latency holds the runs of the move scenario in its latency-bound mode (see movelat.go).
	latency []latencyRun
	// queries holds the runs of a query scenario, which measures this provider alone (see query.go).
	queries []measure
	// floors holds the floor scenario's figures by configuration, floors[kind][turn][step] (see floor.go).
	floors map[string][][]floorMeasure
	// beside holds, for the other scenarios, the floor provider's and Terraform core's figures over as many
	// resources as gdpr's configuration holds, by kind (floorFloor, floorCore; see floors.go).
	beside map[string]*providerResult
}

type runner struct {
	o         *options
	emu       *emulator
	cliConfig string
	rssFile   string
	// floorCLIConfig starts the providers of the floor scenario directly, without the RSS wrapper.
	floorCLIConfig string
}

// scenario runs every step of sc for each provider, RUNS times, alternating providers run by run so that
// drift in the machine's load affects both alike.
func (r *runner) scenario(sc scenario) (*scenarioResult, error) {
	if sc.move {
		return r.moveScenario(sc)
	}
	if sc.query {
		return r.queryScenario(sc)
	}
	if sc.floor {
		return r.floorScenario(sc)
	}
	res := &scenarioResult{sc: sc, providers: map[string]*providerResult{}}
	for _, p := range r.o.providers {
		res.providers[p] = &providerResult{}
	}
	for run := 1; run <= r.o.runs; run++ {
		for _, p := range r.o.providers {
			fmt.Fprintf(os.Stderr, "bench: %s, %s, run %d of %d\n", sc.name, p, run, r.o.runs)
			var ms []measure
			var inv []string
			var err error
			if sc.scale && p == aws {
				ms, inv, err = r.importOnce(sc, run, res.providers[p])
			} else {
				ms, inv, err = r.once(sc, p, run, res.providers[p])
			}
			if err != nil {
				return nil, fmt.Errorf("%s run %d: %w", p, run, err)
			}
			pr := res.providers[p]
			pr.runs = append(pr.runs, ms)
			if run == 1 {
				pr.inventory = inv
			}
		}
		if err := r.besideTurn(res, run); err != nil {
			return nil, fmt.Errorf("run %d: %w", run, err)
		}
	}
	if g, a := res.providers[gdpr], res.providers[aws]; g != nil && a != nil {
		res.diff = diffInventories(g.inventory, a.inventory)
		if len(res.diff) > 0 {
			return res, fmt.Errorf("the providers did not make the same resources:\n  %s", strings.Join(res.diff, "\n  "))
		}
	}
	return res, nil
}

// workDir makes an empty folder for one run of sc with provider.
func (r *runner) workDir(sc scenario, provider string, run int) (string, error) {
	dir := filepath.Join(r.o.cache, "work", strings.NewReplacer(" ", "", "=", "").Replace(sc.name), fmt.Sprintf("%s-%d", provider, run))
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// env is the environment of every Terraform command: the benchmark's CLI configuration, and the emulator's
// CA for the providers that reach it over TLS (AWS_CA_BUNDLE is read by the AWS SDK of both providers; over
// plain HTTP it is never used).
func (r *runner) env() []string {
	return append(os.Environ(), "TF_CLI_CONFIG_FILE="+r.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"AWS_CA_BUNDLE="+r.emu.CABundle)
}

// once runs the steps of sc for one provider in a fresh folder against an emptied emulator. In the first run it
// records in pr what the state holds after the apply.
func (r *runner) once(sc scenario, provider string, run int, pr *providerResult) ([]measure, []string, error) {
	if err := r.emu.reset(); err != nil {
		return nil, nil, err
	}
	dir, err := r.workDir(sc, provider, run)
	if err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(sc.config(provider, r.emu.Endpoint)), 0o644); err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	r.emu.take()
	var ms []measure
	var inv []string
	for _, st := range sc.steps {
		m, err := r.step(dir, st)
		if err != nil {
			r.cleanUp(dir)
			return nil, nil, fmt.Errorf("%s: %w", st.name, err)
		}
		ms = append(ms, m)
		if st.inventory && run == 1 {
			if inv, err = inventory(ctx, r.emu.motoURL); err != nil {
				r.cleanUp(dir)
				return nil, nil, err
			}
			if pr.resources, err = r.stateTypes(dir); err != nil {
				r.cleanUp(dir)
				return nil, nil, err
			}
		}
	}
	// Destroy must leave nothing behind but keys waiting out their deletion window.
	left, err := inventory(ctx, r.emu.motoURL)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range left {
		if !strings.HasPrefix(l, "key ") || !strings.Contains(l, "state=PendingDeletion") {
			return nil, nil, fmt.Errorf("destroy left %q behind", l)
		}
	}
	return ms, inv, nil
}

func (r *runner) step(dir string, st step) (measure, error) {
	return r.stepOf(dir, st, true)
}

// stepOf runs one step; withProvider says whether the configuration starts a provider, whose peak RSS the
// measure then holds (Terraform alone starts none).
func (r *runner) stepOf(dir string, st step, withProvider bool) (measure, error) {
	args := append([]string{"-chdir=" + dir}, st.args...)
	if st.args[0] != "validate" {
		args = append(args, "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", r.o.parallelism))
	} else {
		args = append(args, "-no-color")
	}
	if err := os.WriteFile(r.rssFile, nil, 0o600); err != nil {
		return measure{}, err
	}
	cmd := exec.Command(r.o.terraform, args...)
	cmd.Env = append(r.env(), "BENCH_RSS_FILE="+r.rssFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	m := measure{wall: wall, requests: r.emu.take()}

	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return m, err
	}
	want := 0
	if st.wantChanges {
		want = 2
	}
	if code != want {
		return m, fmt.Errorf("terraform %s exited %d, want %d:\n%s", strings.Join(st.args, " "), code, want, tail(out.String(), 400))
	}
	if !withProvider {
		return m, nil
	}
	rss, err := peakRSS(r.rssFile)
	if err != nil {
		return m, err
	}
	m.rssKiB = rss
	return m, nil
}

// cleanUp destroys what a failed run made, so the next run starts clean; the emulator is reset anyway.
func (r *runner) cleanUp(dir string) {
	cmd := exec.Command(r.o.terraform, "-chdir="+dir, "destroy", "-auto-approve", "-input=false", "-no-color")
	cmd.Env = r.env()
	_ = cmd.Run()
}

func peakRSS(file string) (int64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var peak int64
	for _, line := range strings.Fields(string(data)) {
		v, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("reading %s: %w", file, err)
		}
		peak = max(peak, v)
	}
	if peak == 0 {
		return 0, errors.New("no provider process reported its memory: was the provider started through the wrapper?")
	}
	return peak, nil
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
