package provider_test

import (
	"testing"
	"time"

	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccScale_planRidesOutTransientErrors plans 100 buckets through a proxy that answers a share of the
// requests with 502 Bad Gateway or 503 Service Unavailable, then through one that answers every request with
// 502 for 3.5 s in the middle of the plan. Each request must be retried on its own max_retries and each plan
// must come out empty: with the SDK's default retry quota, shared by every request of the provider, the
// retries of the first few dozen failures used it up, and the plan ended in "retry quota exceeded" errors
// long after the endpoint was back.
func TestAccScale_planRidesOutTransientErrors(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	const region = "eu-north-1"
	prefix := sdkacctest.RandomWithPrefix("gdpr-transient") + "-"
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "25", fleet(prefix, 1, 100, 0)))
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-parallelism=30")

	// plan plans through the proxy's rules and returns how many requests they failed.
	plan := func(t *testing.T, rules ...*acctest.Rule) int64 {
		t.Helper()
		proxy.SetRules(rules...)
		defer proxy.SetRules()
		before, start := proxy.Failed(), time.Now()
		out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-parallelism=30", "-no-color")
		failed := proxy.Failed() - before
		t.Logf("the plan took %s; the proxy failed %d requests", time.Since(start).Round(100*time.Millisecond), failed)
		if err != nil {
			t.Errorf("the plan is not empty, or failed:\n%s", out)
		}
		return failed
	}

	t.Run("a share of requests fails", func(t *testing.T) {
		failed := plan(t,
			&acctest.Rule{Match: acctest.EveryNth(6), Fault: acctest.BadGateway},
			&acctest.Rule{Match: acctest.EveryNth(5), Fault: acctest.Unavailable},
		)
		// The SDK's default quota allowed some 35 retries; far more faults than that must have been ridden out.
		if failed < 200 {
			t.Errorf("the proxy failed %d requests, want at least 200", failed)
		}
	})
	t.Run("every request fails for 3.5 s", func(t *testing.T) {
		outage := &acctest.Outage{After: 300, For: 3500 * time.Millisecond}
		plan(t, &acctest.Rule{Match: outage.Match, Fault: acctest.BadGateway})
		if refused, afterwards := outage.Counts(); refused == 0 || afterwards == 0 {
			t.Errorf("the outage refused %d requests and %d came after it: it did not fall in the middle of the "+
				"plan, so the test proves nothing", refused, afterwards)
		}
	})

	buckets := acctest.StateIDs(t, w, "gdpr_bucket")
	if len(buckets) != 100 {
		t.Errorf("the state holds %d buckets, want 100", len(buckets))
	}
	checkInventory(t, "after the plans", bucketInventory(t, region, prefix), buckets)
	w.MustTerraform("destroy", "-input=false", "-auto-approve", "-parallelism=30")
	checkInventory(t, "after destroy", bucketInventory(t, region, prefix), nil)
}
