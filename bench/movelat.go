package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// The latency-bound move (BENCH_MOVE_DELAYS): the move scenario's two commands, the provider's data-moving
// replacement and `aws s3 sync`, with the TLS proxy holding every request for a fixed delay before it is
// answered, as S3's first byte arrives 20 to 50 ms after a request. There the bound is how many requests
// each client keeps in flight over that delay, which moto cannot show: it serves about 120 requests a second
// here, fewer than either client asks of it with no delay at all. So each run measures the two commands on
// moto with and without the first delay, with a few objects (BENCH_MOVE_MOTO_OBJECTS), to show whether moto
// is the bound, then on moto for the buckets' configuration and the fake S3 of fakes3.go for their objects,
// with no delay (what the fake, the clients and the machine allow) and with each delay.
const (
	// moveInFlight is how many requests the move keeps in flight, cliInFlight the AWS CLI's default
	// max_concurrent_requests.
	moveInFlight = awsapi.MoveConcurrency
	cliInFlight  = 10
	// onMoto and onFake name where the objects are kept.
	onMoto = "moto"
	onFake = "gofakes3"
)

// latencyCase is one endpoint, delay and number of objects both commands are measured with.
type latencyCase struct {
	endpoint string
	delay    time.Duration
	n        int
}

func (c latencyCase) String() string {
	return fmt.Sprintf("%s, %s added, %d objects", c.endpoint, c.delay, c.n)
}

// latencyRun is both commands of one case in one run, with their copying phases.
type latencyRun struct {
	latencyCase
	move, sync         measure
	moveCopy, syncCopy copying
}

// latencyCases are the cases of one run: moto's check with few objects, then the fake with none and each delay.
func (o *options) latencyCases(n int) []latencyCase {
	cases := []latencyCase{{onMoto, 0, o.motoObjects}, {onMoto, o.moveDelays[0], o.motoObjects}, {onFake, 0, n}}
	for _, d := range o.moveDelays {
		cases = append(cases, latencyCase{onFake, d, n})
	}
	return cases
}

// latencyScenario runs every case RUNS times; within a case the two commands alternate which goes first from
// run to run, so drift in the machine's load affects both alike.
func (r *runner) latencyScenario(sc scenario) (*scenarioResult, error) {
	res := &scenarioResult{sc: sc}
	defer r.emu.setFront(frontSettings{})
	for run := 1; run <= r.o.runs; run++ {
		for _, c := range r.o.latencyCases(sc.n) {
			fmt.Fprintf(os.Stderr, "bench: %s, %s, run %d of %d\n", sc.name, c, run, r.o.runs)
			lr := latencyRun{latencyCase: c}
			var err error
			steps := []func() error{
				func() error { lr.move, lr.moveCopy, err = r.latencyMove(sc, c, run); return err },
				func() error { lr.sync, lr.syncCopy, err = r.latencySync(sc, c, run); return err },
			}
			if run%2 == 0 {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, s := range steps {
				if err := s(); err != nil {
					return nil, fmt.Errorf("run %d, %s: %w", run, c, err)
				}
			}
			res.latency = append(res.latency, lr)
		}
	}
	return res, nil
}

// latencyStart empties moto and gives the proxy a fresh fake S3 for c (none on moto), without a delay: only
// the command measured waits.
func (r *runner) latencyStart(c latencyCase) (*fakeS3, error) {
	var fake *fakeS3
	if c.endpoint == onFake {
		fake = newFakeS3()
	}
	r.emu.setFront(frontSettings{fake: fake})
	return fake, r.emu.reset()
}

// latencySeed puts n objects into bucket: into the fake's memory directly, or through moto as the move
// scenario does.
func (r *runner) latencySeed(ctx context.Context, fake *fakeS3, bucket string, n int) error {
	if fake != nil {
		return fake.put(bucket, n)
	}
	return putObjects(ctx, r.emu.s3Client(), bucket, n)
}

// latencyTimed runs f with c's delay on every request, counting only f's requests, and returns its copying
// phase.
func (r *runner) latencyTimed(c latencyCase, fake *fakeS3, f func() error) (copying, error) {
	r.emu.setFront(frontSettings{delay: c.delay, fake: fake})
	r.emu.take()
	r.emu.takeCopying()
	err := f()
	span := r.emu.takeCopying()
	r.emu.setFront(frontSettings{fake: fake})
	return span, err
}

// latencyCheck fails unless bucket holds the n objects putObjects makes, each with its own content: read from
// the fake's memory, or back through the proxy from moto.
func (r *runner) latencyCheck(ctx context.Context, fake *fakeS3, bucket string, n int) error {
	c := r.emu.s3Client()
	if err := checkObjects(ctx, c, bucket, n); err != nil {
		return err
	}
	if fake != nil {
		return fake.checkContent(bucket, n)
	}
	return checkBodies(ctx, c, bucket, n)
}

// latencyMove replaces a gdpr_bucket holding c.n objects, as the move scenario does, and checks that the new
// bucket holds every object with its content and that the old one is gone, from moto and from the fake.
func (r *runner) latencyMove(sc scenario, c latencyCase, run int) (measure, copying, error) {
	ctx := context.Background()
	fake, err := r.latencyStart(c)
	if err != nil {
		return measure{}, copying{}, err
	}
	dir, err := r.workDir(sc, fmt.Sprintf("%s-%s-%s", gdpr, c.endpoint, c.delay), run)
	if err != nil {
		return measure{}, copying{}, err
	}
	config := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(config, []byte(moveConfig(r.emu.TLSEndpoint, 30)), 0o644); err != nil {
		return measure{}, copying{}, err
	}
	if _, err := r.step(dir, stepApply); err != nil {
		return measure{}, copying{}, fmt.Errorf("creating the bucket: %w", err)
	}
	old, err := r.output(dir, "bucket")
	if err != nil {
		return measure{}, copying{}, err
	}
	if err := r.latencySeed(ctx, fake, old, c.n); err != nil {
		return measure{}, copying{}, err
	}
	if err := os.WriteFile(config, []byte(moveConfig(r.emu.TLSEndpoint, 31)), 0o644); err != nil {
		return measure{}, copying{}, err
	}
	var m measure
	span, err := r.latencyTimed(c, fake, func() (err error) {
		m, err = r.step(dir, stepMove)
		return err
	})
	if err != nil {
		return m, span, fmt.Errorf("%s: %w", stepMove.name, err)
	}
	moved, err := r.output(dir, "bucket")
	if err != nil {
		return m, span, err
	}
	if moved == old {
		return m, span, fmt.Errorf("the apply kept bucket %s instead of replacing it", old)
	}
	if err := r.latencyCheck(ctx, fake, moved, c.n); err != nil {
		return m, span, fmt.Errorf("after the move: %w", err)
	}
	if err := checkBuckets(ctx, r.emu.s3Client(), []string{moved}, []string{old}); err != nil {
		return m, span, fmt.Errorf("after the move: %w", err)
	}
	if fake != nil {
		if err := fake.bucketGone(old); err != nil {
			return m, span, fmt.Errorf("after the move: %w", err)
		}
	}
	return m, span, nil
}

// latencySync times `aws s3 sync` of c.n objects between two plain buckets and checks the destination.
func (r *runner) latencySync(sc scenario, c latencyCase, run int) (measure, copying, error) {
	ctx := context.Background()
	fake, err := r.latencyStart(c)
	if err != nil {
		return measure{}, copying{}, err
	}
	dir, err := r.workDir(sc, fmt.Sprintf("cli-%s-%s", c.endpoint, c.delay), run)
	if err != nil {
		return measure{}, copying{}, err
	}
	src, dst := "sync-src", "sync-dst"
	for _, b := range []string{src, dst} {
		if err := createBucket(ctx, r.emu.s3Client(), b); err != nil {
			return measure{}, copying{}, err
		}
	}
	if err := r.latencySeed(ctx, fake, src, c.n); err != nil {
		return measure{}, copying{}, err
	}
	var m measure
	span, err := r.latencyTimed(c, fake, func() (err error) {
		m, err = r.awsSync(dir, src, dst)
		return err
	})
	if err != nil {
		return m, span, err
	}
	if err := r.latencyCheck(ctx, fake, dst, c.n); err != nil {
		return m, span, fmt.Errorf("after aws s3 sync: %w", err)
	}
	return m, span, nil
}

// checkBodies reads every one of the n objects putObjects makes from bucket and fails unless each holds its
// own content.
func checkBodies(ctx context.Context, c *s3.Client, bucket string, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(seedConcurrency)
	for i := range n {
		g.Go(func() error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: sdkaws.String(objectKey(i))})
			if err != nil {
				return fmt.Errorf("reading %s from %s: %w", objectKey(i), bucket, err)
			}
			defer out.Body.Close()
			var got bytes.Buffer
			if _, err := got.ReadFrom(out.Body); err != nil {
				return fmt.Errorf("reading %s from %s: %w", objectKey(i), bucket, err)
			}
			if !bytes.Equal(got.Bytes(), objectBody(i)) {
				return fmt.Errorf("%s in %s does not hold its content", objectKey(i), bucket)
			}
			return nil
		})
	}
	return g.Wait()
}

// latencyFigures are the medians of one case over the runs.
type latencyFigures struct {
	latencyCase
	// wall and copying are the medians of the whole command and of its copying phase, in seconds.
	moveWall, moveCopying, syncWall, syncCopying float64
	moveRequests, syncRequests                   float64
	// moveCopyRequests and syncCopyRequests are the requests of the copying phase.
	moveCopyRequests, syncCopyRequests float64
	moveRSS, syncRSS                   float64
}

func latencyMedians(res *scenarioResult) []latencyFigures {
	var out []latencyFigures
	seen := map[latencyCase]bool{}
	for _, lr := range res.latency {
		if seen[lr.latencyCase] {
			continue
		}
		seen[lr.latencyCase] = true
		med := func(f func(latencyRun) float64) float64 {
			var vals []float64
			for _, x := range res.latency {
				if x.latencyCase == lr.latencyCase {
					vals = append(vals, f(x))
				}
			}
			return medianOf(vals)
		}
		out = append(out, latencyFigures{
			latencyCase:      lr.latencyCase,
			moveWall:         med(func(x latencyRun) float64 { return x.move.wall.Seconds() }),
			moveCopying:      med(func(x latencyRun) float64 { return x.moveCopy.span().Seconds() }),
			syncWall:         med(func(x latencyRun) float64 { return x.sync.wall.Seconds() }),
			syncCopying:      med(func(x latencyRun) float64 { return x.syncCopy.span().Seconds() }),
			moveRequests:     med(func(x latencyRun) float64 { return float64(countBy(x.move.requests, "")) }),
			syncRequests:     med(func(x latencyRun) float64 { return float64(countBy(x.sync.requests, "")) }),
			moveCopyRequests: med(func(x latencyRun) float64 { return float64(x.moveCopy.requests) }),
			syncCopyRequests: med(func(x latencyRun) float64 { return float64(x.syncCopy.requests) }),
			moveRSS:          med(func(x latencyRun) float64 { return float64(x.move.rssKiB) / 1024 }),
			syncRSS:          med(func(x latencyRun) float64 { return float64(x.sync.rssKiB) / 1024 }),
		})
	}
	return out
}

// perSecond is n over seconds, 0 for no time.
func perSecond(n, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return n / seconds
}

// Targets of the latency-bound move; see the README.
const (
	targetLatencySpeedup = 2.0
	targetLatencyRSSMiB  = 100.0
	// boundShare: a delay that leaves a client at least this share of its pace without one has not slowed
	// it, so something else, the endpoint above all, sets the pace. Below latencyShare the delay does.
	boundShare   = 0.8
	latencyShare = 0.5
)

// renderLatency reports the latency-bound move: each case's figures, whether the endpoint bounds the clients,
// and the move against the CLI where it does not.
func renderLatency(b *strings.Builder, res *scenarioResult) {
	figs := latencyMedians(res)
	runs := len(res.latency) / max(len(figs), 1)
	fmt.Fprintf(b, "## %s\n\n", res.sc.name)
	fmt.Fprintf(b, "The move scenario's two commands, one `terraform apply` replacing a gdpr_bucket (`on_replace = \"move_data\"`) "+
		"and `aws s3 sync` between two buckets, each object %d bytes, with the TLS proxy holding every request for a fixed "+
		"delay before it is answered, as S3's first byte arrives 20 to 50 ms after a request. On `%s` the objects are kept "+
		"by an in-memory S3 (github.com/johannesboyne/gofakes3 with its s3mem backend, in the benchmark's process), which "+
		"answers object requests and listings, while moto keeps every bucket's configuration (KMS key, encryption, policy, "+
		"lifecycle, versioning, tags): the apply is the real one, end to end. The fake adds what S3 returns and the move "+
		"checks: a copy's checksum, computed from the bytes the copy holds, and its KMS key. After each command the "+
		"benchmark checks that the destination holds every object with its own content and, for the move, that the old "+
		"bucket is gone. Median of %d run(s); the two commands alternate which goes first. *Copying* is the phase from "+
		"the first CopyObject request to the last one's answer, without Terraform's and the CLI's constant costs. The move "+
		"keeps %d requests in flight, the CLI %d: over a delay d they can send at most %d/d and %d/d requests a second.\n\n",
		moveObjectSize, onFake, runs, moveInFlight, cliInFlight, moveInFlight, cliInFlight)
	b.WriteString("| objects on | delay | objects | command | time (s) | objects/s | copying (s) | copying objects/s | requests per object | requests/s while copying | requests/s in flight/delay allows | peak RSS (MiB) |\n" +
		"|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range figs {
		n := float64(f.n)
		allows := func(inFlight int) string {
			if f.delay == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f", float64(inFlight)/f.delay.Seconds())
		}
		fmt.Fprintf(b, "| %s | %s | %d | gdpr: `terraform apply` (move) | %.2f | %.0f | %.2f | %.0f | %.2f | %.0f | %s | %.0f |\n",
			f.endpoint, f.delay, f.n, f.moveWall, perSecond(n, f.moveWall), f.moveCopying, perSecond(n, f.moveCopying),
			f.moveRequests/n, perSecond(f.moveCopyRequests, f.moveCopying), allows(moveInFlight), f.moveRSS)
		fmt.Fprintf(b, "| %s | %s | %d | AWS CLI: `aws s3 sync` | %.2f | %.0f | %.2f | %.0f | %.2f | %.0f | %s | %.0f |\n",
			f.endpoint, f.delay, f.n, f.syncWall, perSecond(n, f.syncWall), f.syncCopying, perSecond(n, f.syncCopying),
			f.syncRequests/n, perSecond(f.syncCopyRequests, f.syncCopying), allows(cliInFlight), f.syncRSS)
	}
	b.WriteString("\n" + latencyBounds(figs) + "\n" + latencyTargets(figs) + "\n")
	b.WriteString("<details><summary>Requests by operation, first run</summary>\n\n")
	for _, lr := range res.latency[:len(figs)] {
		fmt.Fprintf(b, "- %s: gdpr, apply (move): %s\n", lr.latencyCase, opsSummary(lr.move.requests))
		fmt.Fprintf(b, "- %s: AWS CLI, s3 sync: %s\n", lr.latencyCase, opsSummary(lr.sync.requests))
	}
	b.WriteString("\n</details>\n\n")
}

// latencyBounds says, per endpoint and command, whether the delay slowed the copying (the endpoint is not the
// bound) or not (it is, or the client itself is).
func latencyBounds(figs []latencyFigures) string {
	var b strings.Builder
	b.WriteString("**Is the endpoint the bound?** Each command's copying pace with a delay against its pace with none, on the same endpoint:\n\n")
	for _, endpoint := range []string{onMoto, onFake} {
		var zero *latencyFigures
		for i := range figs {
			if figs[i].endpoint == endpoint && figs[i].delay == 0 {
				zero = &figs[i]
			}
		}
		if zero == nil {
			continue
		}
		for _, f := range figs {
			if f.endpoint != endpoint || f.delay == 0 {
				continue
			}
			for _, cmd := range []struct {
				name                 string
				with, without, reqs0 float64
				// allows is the pace the client's requests in flight allow over the delay alone.
				allows float64
			}{
				{
					"the move", perSecond(float64(f.n), f.moveCopying), perSecond(float64(zero.n), zero.moveCopying),
					perSecond(zero.moveCopyRequests, zero.moveCopying), perSecond(moveInFlight*float64(f.n), f.moveCopyRequests*f.delay.Seconds()),
				},
				{
					"aws s3 sync", perSecond(float64(f.n), f.syncCopying), perSecond(float64(zero.n), zero.syncCopying),
					perSecond(zero.syncCopyRequests, zero.syncCopying), perSecond(cliInFlight*float64(f.n), f.syncCopyRequests*f.delay.Seconds()),
				},
			} {
				share := perSecond(cmd.with, cmd.without)
				var verdict string
				switch {
				case share >= boundShare:
					verdict = fmt.Sprintf("the delay hardly slows it: %s, or the client itself, is the bound", endpoint)
				case share >= latencyShare:
					verdict = fmt.Sprintf("the delay slows it, but not to a fraction: %s, the client and the machine share the bound with it", endpoint)
				default:
					verdict = fmt.Sprintf("the delay sets the pace; %s is not the bound", endpoint)
				}
				fmt.Fprintf(&b, "- %s, %s at %s: %.0f objects/s against %.0f with no delay (%.0f requests/s served then), %.0f%%; "+
					"its requests in flight over the delay allow %.0f objects/s: %s.\n",
					endpoint, cmd.name, f.delay, cmd.with, cmd.without, cmd.reqs0, 100*share, cmd.allows, verdict)
			}
		}
	}
	return b.String()
}

// latencyTargets compares the move with the CLI on the fake, delay by delay, against the targets.
func latencyTargets(figs []latencyFigures) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Targets** (on %s, with a delay): the move at least %.0fx the CLI's objects per second, the provider's peak RSS under %.0f MiB.\n\n",
		onFake, targetLatencySpeedup, targetLatencyRSSMiB)
	b.WriteString("| delay | move/CLI, whole command | move/CLI, copying | speed target | provider peak RSS (MiB) | RSS target |\n|---:|---:|---:|---|---:|---|\n")
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	for _, f := range figs {
		if f.endpoint != onFake || f.delay == 0 {
			continue
		}
		whole := perSecond(f.syncWall, f.moveWall)
		copying := perSecond(f.syncCopying, f.moveCopying)
		fmt.Fprintf(&b, "| %s | %.2fx | %.2fx | %s | %.0f | %s |\n", f.delay, whole, copying,
			met(whole >= targetLatencySpeedup), f.moveRSS, met(f.moveRSS < targetLatencyRSSMiB))
	}
	return b.String()
}
