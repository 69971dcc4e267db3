package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// The query scenario measures `terraform query` over the gdpr_bucket list resource (Terraform 1.14 and
// later): the buckets of the provider's region, each read in full and judged against the guarantees.
// hashicorp/aws has a list resource for aws_s3_bucket too, but it reads no bucket's settings, so there is
// nothing like for like to compare: the provider is measured alone. Half the buckets are made with the SDK
// and nothing else (they break most guarantees), half also get versioning, so the results are a mix.
func queryScenario(n int) scenario {
	return scenario{name: fmt.Sprintf("query N=%d", n), n: n, unit: "bucket", query: true}
}

// queryPrefix begins the name of every bucket the scenario lists.
const queryPrefix = "query-"

func queryConfig(n int) string {
	return fmt.Sprintf(`
list "gdpr_bucket" "all" {
  provider = gdpr
  limit    = %d
  config {
    name_prefix = %q
  }
}
`, n, queryPrefix)
}

// queryScenario runs the query scenario RUNS times.
func (r *runner) queryScenario(sc scenario) (*scenarioResult, error) {
	res := &scenarioResult{sc: sc}
	for run := 1; run <= r.o.runs; run++ {
		fmt.Fprintf(os.Stderr, "bench: %s, run %d of %d\n", sc.name, run, r.o.runs)
		m, err := r.queryOnce(sc, run)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", run, err)
		}
		res.queries = append(res.queries, m)
	}
	return res, nil
}

// queryOnce makes sc.n buckets with the SDK, then times `terraform query` over them and checks that it
// listed every one, so a query that did not do the work is never timed as one.
func (r *runner) queryOnce(sc scenario, run int) (measure, error) {
	ctx := context.Background()
	if err := r.emu.reset(); err != nil {
		return measure{}, err
	}
	c := r.emu.s3Client()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(seedConcurrency)
	for i := range sc.n {
		g.Go(func() error {
			name := fmt.Sprintf("%s%05d", queryPrefix, i)
			if err := createBucket(gctx, c, name); err != nil {
				return err
			}
			if i%2 == 0 {
				return nil
			}
			return enableVersioning(gctx, c, name)
		})
	}
	if err := g.Wait(); err != nil {
		return measure{}, err
	}
	dir, err := r.workDir(sc, gdpr, run)
	if err != nil {
		return measure{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(gdprProvider(r.emu.TLSEndpoint)), 0o644); err != nil {
		return measure{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "buckets.tfquery.hcl"), []byte(queryConfig(sc.n)), 0o644); err != nil {
		return measure{}, err
	}
	if err := os.WriteFile(r.rssFile, nil, 0o600); err != nil {
		return measure{}, err
	}
	r.emu.take()
	cmd := exec.Command(r.o.terraform, "-chdir="+dir, "query", "-no-color")
	cmd.Env = append(r.env(), "BENCH_RSS_FILE="+r.rssFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	m := measure{wall: time.Since(start), requests: r.emu.take()}
	if err != nil {
		return m, fmt.Errorf("terraform query: %w:\n%s", err, tail(out.String(), 40))
	}
	listed := strings.Count(out.String(), "list.gdpr_bucket.all ")
	if listed != sc.n {
		return m, fmt.Errorf("terraform query listed %d buckets, want %d:\n%s", listed, sc.n, tail(out.String(), 20))
	}
	if !strings.Contains(out.String(), ": breaks: versioning, ") {
		return m, errors.New("terraform query did not report the unversioned buckets as breaking versioning")
	}
	if m.rssKiB, err = peakRSS(r.rssFile); err != nil {
		return m, err
	}
	return m, r.emu.reset()
}

// renderQuery reports a query scenario: the time and the provider's peak RSS of one `terraform query`.
func renderQuery(b *strings.Builder, res *scenarioResult) {
	n := res.sc.n
	fmt.Fprintf(b, "## %s\n\n", res.sc.name)
	fmt.Fprintf(b, "One `terraform query` lists the %d buckets of a `list \"gdpr_bucket\"` block (`name_prefix`, "+
		"`limit = %d`), made with the SDK beforehand, half of them with versioning: each is read in full (nine GETs) "+
		"and judged against the guarantees. The benchmark checks that every bucket was listed. Median of %d run(s); "+
		"RSS is the provider's peak.\n\n", n, n, len(res.queries))
	b.WriteString("| what | time (s) | buckets/s | peak RSS (MiB) | requests | requests per bucket |\n|---|---:|---:|---:|---:|---:|\n")
	vals := func(f func(measure) float64) float64 {
		v := make([]float64, len(res.queries))
		for i, q := range res.queries {
			v[i] = f(q)
		}
		return medianOf(v)
	}
	wall := vals(func(m measure) float64 { return m.wall.Seconds() })
	rss := vals(func(m measure) float64 { return float64(m.rssKiB) / 1024 })
	reqs := vals(func(m measure) float64 { return float64(countBy(m.requests, "")) })
	fmt.Fprintf(b, "| gdpr: `terraform query` | %.2f | %.0f | %.0f | %.0f | %.2f |\n\n", wall, float64(n)/wall, rss, reqs, reqs/float64(n))
	fmt.Fprintf(b, "<details><summary>Requests by operation, first run</summary>\n\n- gdpr, query: %s\n\n</details>\n\n",
		opsSummary(res.queries[0].requests))
}

// enableVersioning turns versioning on, the one guarantee the query scenario gives half its buckets.
func enableVersioning(ctx context.Context, c *s3.Client, name string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &name,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	if err != nil {
		return fmt.Errorf("enabling the versioning of %s: %w", name, err)
	}
	return nil
}
