package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Requests a bucket's settings need, per bucket, when every setting gdpr_bucket enforces is written once
// and read once. Apply: CreateBucket (which also sets object ownership and tags the bucket as being made),
// then versioning, public access block, encryption, lifecycle and policy, and last the tags, which replace
// the creation marker (so that an interrupted apply is found and finished: invariant 12). Refresh: where the
// bucket is (invariant 9), and one GET per setting that can drift: versioning, encryption, lifecycle, Object
// Lock, public access block, ownership, policy and tags (refreshReads in floors.go).
const (
	bucketApplyFloor = 7
)

var bucketRefreshFloor = len(refreshReads["gdpr_bucket"])

// Targets the provider is held to; see the README.
const (
	targetRefreshSpeedup = 5.0
	targetApplySpeedup   = 3.0
	targetRSSRatio       = 0.10
	targetSmallSpeedup   = 20.0
)

func renderReport(o *options, results []*scenarioResult, machine string) string {
	var b strings.Builder
	if !slices.ContainsFunc(results, func(res *scenarioResult) bool { return !res.sc.floor }) {
		// The floor scenario alone: its section says how it measures.
		fmt.Fprintf(&b, "# Benchmark: gdpr against a bare framework provider and Terraform alone\n\n")
		fmt.Fprintf(&b, "Run %s UTC. %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04"), machine)
		for _, res := range results {
			renderFloor(&b, res)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "# Benchmark: gdpr and hashicorp/aws on the same work\n\n")
	fmt.Fprintf(&b, "Run %s UTC. %s.\n", time.Now().UTC().Format("2006-01-02 15:04"), machine)
	fmt.Fprintf(&b, "Median of %d run(s) per provider, runs alternating between providers; Terraform -parallelism=%d. "+
		"Time is the wall time of the Terraform command; RSS the largest peak resident set of the provider processes "+
		"the command started; requests what the emulator received. Ratios are gdpr/aws: below 1 is better.\n\n",
		o.runs, o.parallelism)
	if t := targets(results); t != "" {
		b.WriteString("## Targets\n\n" + t + "\n")
	}
	for _, res := range results {
		switch {
		case res.sc.move:
			renderMove(&b, res)
		case res.sc.query:
			renderQuery(&b, res)
		case res.sc.floor:
			renderFloor(&b, res)
		default:
			renderScenario(&b, res)
		}
	}
	if g := growth(results); g != "" {
		b.WriteString(g)
	}
	if g := moveGrowth(results); g != "" {
		b.WriteString(g)
	}
	return b.String()
}

func renderScenario(b *strings.Builder, res *scenarioResult) {
	fmt.Fprintf(b, "## %s\n\n", res.sc.name)
	if len(res.diff) > 0 {
		fmt.Fprintf(b, "**The providers did not make the same resources; the figures below do not compare like with like:**\n\n")
		for _, d := range res.diff {
			fmt.Fprintf(b, "- `%s`\n", d)
		}
		b.WriteString("\n")
	}
	g, a := res.providers[gdpr], res.providers[aws]
	if a == nil {
		b.WriteString("| step | time (s) | peak RSS (MiB) | requests |\n|---|---:|---:|---:|\n")
		for i, st := range res.sc.steps {
			fmt.Fprintf(b, "| %s | %.2f | %.0f | %d |\n", st.name, seconds(g, i), mib(g, i), requests(g, i, ""))
		}
	} else {
		b.WriteString("| step | time gdpr (s) | time aws (s) | time ratio | RSS gdpr (MiB) | RSS aws (MiB) | RSS ratio | requests gdpr | requests aws | requests ratio |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for i, st := range res.sc.steps {
			if seconds(a, i) == 0 {
				// Not run for hashicorp/aws (the scale scenario's apply and destroy).
				fmt.Fprintf(b, "| %s | %.2f | - | - | %.0f | - | - | %d | - | - |\n", st.name, seconds(g, i), mib(g, i), requests(g, i, ""))
				continue
			}
			fmt.Fprintf(b, "| %s | %.2f | %.2f | %s | %.0f | %.0f | %s | %d | %d | %s |\n", st.name,
				seconds(g, i), seconds(a, i), ratio(seconds(g, i), seconds(a, i)),
				mib(g, i), mib(a, i), ratio(mib(g, i), mib(a, i)),
				requests(g, i, ""), requests(a, i, ""), ratio(float64(requests(g, i, "")), float64(requests(a, i, ""))))
		}
	}
	b.WriteString("\n")
	renderSetup(b, res)
	renderBeside(b, res)
	if service, ok := map[string]string{"bucket": "s3:", "server": "ec2:", "database": "rds:"}[res.sc.unit]; ok {
		fmt.Fprintf(b, "%s requests per %s:", strings.ToUpper(strings.TrimSuffix(service, ":")), res.sc.unit)
		for i, st := range res.sc.steps {
			fmt.Fprintf(b, " %s gdpr %.1f", st.name, float64(requests(g, i, service))/float64(res.sc.n))
			if a != nil && seconds(a, i) > 0 {
				fmt.Fprintf(b, " / aws %.1f", float64(requests(a, i, service))/float64(res.sc.n))
			}
			b.WriteString(";")
		}
		b.WriteString("\n\n")
	}
	b.WriteString("<details><summary>Requests by operation, first run</summary>\n\n")
	for i, st := range res.sc.steps {
		for _, p := range []string{gdpr, aws} {
			if pr := res.providers[p]; pr != nil {
				fmt.Fprintf(b, "- %s, %s: %s\n", st.name, p, opsSummary(pr.runs[0][i].requests))
			}
		}
	}
	b.WriteString("\n</details>\n\n")
}

// targets says, for each target the results can speak to, where the provider stands.
func targets(results []*scenarioResult) string {
	var b strings.Builder
	line := func(ok bool, format string, args ...any) {
		mark := "met"
		if !ok {
			mark = "**missed**"
		}
		fmt.Fprintf(&b, "- %s: %s\n", mark, fmt.Sprintf(format, args...))
	}
	var largest *scenarioResult
	for _, res := range results {
		g, a := res.providers[gdpr], res.providers[aws]
		if g == nil {
			continue
		}
		if res.sc.unit == "bucket" && (largest == nil || res.sc.n > largest.sc.n) {
			largest = res
		}
		if a == nil {
			continue
		}
		worst := 0.0
		for i := range res.sc.steps {
			if mib(a, i) > 0 { // a step hashicorp/aws did not run has no peak
				worst = max(worst, mib(g, i)/mib(a, i))
			}
		}
		line(worst <= targetRSSRatio, "%s: peak RSS at most %.2f of hashicorp/aws's in every step (target %.2f)", res.sc.name, worst, targetRSSRatio)
		if res.sc.name == "small" {
			for i, st := range res.sc.steps {
				if st.name == stepValidate.name || st.name == stepPlanRefresh.name {
					s := seconds(a, i) / seconds(g, i)
					line(s >= targetSmallSpeedup, "small: %s %.1fx faster (target %.0fx)", st.name, s, targetSmallSpeedup)
				}
			}
		}
	}
	if largest != nil {
		g, a := largest.providers[gdpr], largest.providers[aws]
		for i, st := range largest.sc.steps {
			perBucket := float64(requests(g, i, "s3:")) / float64(largest.sc.n)
			switch st.name {
			case stepApply.name:
				line(perBucket <= bucketApplyFloor, "%s: %.1f S3 requests per bucket at apply (floor %d)", largest.sc.name, perBucket, bucketApplyFloor)
				if a != nil && seconds(a, i) > 0 {
					s := seconds(a, i) / seconds(g, i)
					line(s >= targetApplySpeedup, "%s: apply %.1fx faster (target %.0fx)", largest.sc.name, s, targetApplySpeedup)
				}
			case stepPlanRefresh.name:
				line(perBucket <= float64(bucketRefreshFloor), "%s: %.1f S3 requests per bucket at refresh (floor %d)", largest.sc.name, perBucket, bucketRefreshFloor)
				if a != nil {
					s := seconds(a, i) / seconds(g, i)
					line(s >= targetRefreshSpeedup, "%s: refresh plan %.1fx faster (target %.0fx)", largest.sc.name, s, targetRefreshSpeedup)
				}
			}
		}
	}
	return b.String()
}

// growth shows the time per bucket as N grows: it should stay flat.
func growth(results []*scenarioResult) string {
	var rows []*scenarioResult
	for _, res := range results {
		if res.sc.unit == "bucket" {
			rows = append(rows, res)
		}
	}
	if len(rows) < 2 {
		return ""
	}
	slices.SortFunc(rows, func(x, y *scenarioResult) int { return x.sc.n - y.sc.n })
	var b strings.Builder
	b.WriteString("## Time per bucket as N grows (ms)\n\n| N | apply gdpr | apply aws | refresh gdpr | refresh aws | destroy gdpr | destroy aws |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, res := range rows {
		fmt.Fprintf(&b, "| %d", res.sc.n)
		for i := range res.sc.steps {
			for _, p := range []string{gdpr, aws} {
				if pr := res.providers[p]; pr != nil {
					fmt.Fprintf(&b, " | %.0f", seconds(pr, i)*1000/float64(res.sc.n))
				} else {
					b.WriteString(" | -")
				}
			}
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\n")
	return b.String()
}

func seconds(pr *providerResult, step int) float64 {
	return median(pr, func(m measure) float64 { return m.wall.Seconds() }, step)
}

func mib(pr *providerResult, step int) float64 {
	return median(pr, func(m measure) float64 { return float64(m.rssKiB) / 1024 }, step)
}

func requests(pr *providerResult, step int, prefix string) int {
	return int(median(pr, func(m measure) float64 { return float64(countBy(m.requests, prefix)) }, step))
}

func median(pr *providerResult, f func(measure) float64, step int) float64 {
	vals := make([]float64, len(pr.runs))
	for i, run := range pr.runs {
		vals[i] = f(run[step])
	}
	return medianOf(vals)
}

func medianOf(vals []float64) float64 {
	vals = slices.Clone(vals)
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return vals[n/2]
	}
	return (vals[n/2-1] + vals[n/2]) / 2
}

func ratio(ours, theirs float64) string {
	if theirs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", ours/theirs)
}

// renderMove reports a move scenario: the provider's move, the AWS CLI's sync of as many objects, and the
// emulator's own pace for one request per object, which bounds both.
func renderMove(b *strings.Builder, res *scenarioResult) {
	if res.latency != nil {
		renderLatency(b, res)
		return
	}
	n := res.sc.n
	fmt.Fprintf(b, "## %s\n\n", res.sc.name)
	fmt.Fprintf(b, "One `terraform apply` replaces a gdpr_bucket holding %d objects of %d bytes over %d prefixes "+
		"(`on_replace = \"move_data\"`, `create_before_destroy`, `expiration_days` 30 to 31): it creates the new bucket, "+
		"copies every object into it server-side and deletes the old one. hashicorp/aws has no equivalent; the "+
		"comparison is `aws s3 sync` between two buckets holding as many objects, on the same emulator, both over TLS. "+
		"Afterwards the benchmark checks that the destination holds every object and, for the move, that the old "+
		"bucket is gone. Median of %d run(s); RSS is the provider's peak for the move and the CLI process's for the sync.\n\n",
		n, moveObjectSize, movePrefixes, len(res.moves))
	b.WriteString("| what | time (s) | objects/s | peak RSS (MiB) | requests | requests per object |\n|---|---:|---:|---:|---:|---:|\n")
	row := func(what string, f func(moveRun) measure) {
		wall := moveMedian(res, func(r moveRun) float64 { return f(r).wall.Seconds() })
		rss := moveMedian(res, func(r moveRun) float64 { return float64(f(r).rssKiB) / 1024 })
		reqs := moveMedian(res, func(r moveRun) float64 { return float64(countBy(f(r).requests, "")) })
		fmt.Fprintf(b, "| %s | %.2f | %.0f | %.0f | %.0f | %.2f |\n", what, wall, float64(n)/wall, rss, reqs, reqs/float64(n))
	}
	row("gdpr: `terraform apply` (move)", func(r moveRun) measure { return r.move })
	row("AWS CLI: `aws s3 sync`", func(r moveRun) measure { return r.sync })
	seed := moveMedian(res, func(r moveRun) float64 { return r.seed.Seconds() })
	fmt.Fprintf(b, "| emulator's pace: SDK `PutObject`, %d in flight | %.2f | %.0f | - | %d | 1.00 |\n\n", seedConcurrency, seed, float64(n)/seed, n)
	b.WriteString("<details><summary>Requests by operation, first run</summary>\n\n")
	fmt.Fprintf(b, "- gdpr, apply (move): %s\n", opsSummary(res.moves[0].move.requests))
	fmt.Fprintf(b, "- AWS CLI, s3 sync: %s\n", opsSummary(res.moves[0].sync.requests))
	b.WriteString("\n</details>\n\n")
}

// moveGrowth shows the provider's peak RSS and throughput as the number of objects moved grows: the RSS
// should stay flat, as the move streams its listing rather than holding the bucket's contents.
func moveGrowth(results []*scenarioResult) string {
	var rows []*scenarioResult
	for _, res := range results {
		if res.sc.move && res.latency == nil {
			rows = append(rows, res)
		}
	}
	if len(rows) < 2 {
		return ""
	}
	slices.SortFunc(rows, func(x, y *scenarioResult) int { return x.sc.n - y.sc.n })
	var b strings.Builder
	b.WriteString("## Move as the number of objects grows\n\n| objects | gdpr objects/s | gdpr peak RSS (MiB) | aws s3 sync objects/s | aws s3 sync peak RSS (MiB) |\n|---:|---:|---:|---:|---:|\n")
	for _, res := range rows {
		move := moveMedian(res, func(r moveRun) float64 { return r.move.wall.Seconds() })
		sync := moveMedian(res, func(r moveRun) float64 { return r.sync.wall.Seconds() })
		fmt.Fprintf(&b, "| %d | %.0f | %.0f | %.0f | %.0f |\n", res.sc.n,
			float64(res.sc.n)/move, moveMedian(res, func(r moveRun) float64 { return float64(r.move.rssKiB) / 1024 }),
			float64(res.sc.n)/sync, moveMedian(res, func(r moveRun) float64 { return float64(r.sync.rssKiB) / 1024 }))
	}
	b.WriteString("\n")
	return b.String()
}

func moveMedian(res *scenarioResult, f func(moveRun) float64) float64 {
	vals := make([]float64, len(res.moves))
	for i, r := range res.moves {
		vals[i] = f(r)
	}
	return medianOf(vals)
}
