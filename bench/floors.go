package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Every scenario that measures gdpr is also run, step by step, by the floor provider (bench/floor, the
// smallest provider terraform-plugin-framework serves) and by Terraform alone (terraform_data), over as many
// resources as gdpr's configuration holds: what any framework provider, and Terraform itself, spend on the
// same count. Both are started through the same RSS wrapper as gdpr, in the same turn, after gdpr's run.

// besideTurn runs sc's steps for the floor provider and for Terraform alone, once gdpr's first run has said how
// many resources its configuration holds.
func (r *runner) besideTurn(res *scenarioResult, run int) error {
	g := res.providers[gdpr]
	if g == nil || len(g.resources) == 0 {
		return nil
	}
	n := 0
	for _, c := range g.resources {
		n += c
	}
	if res.beside == nil {
		res.beside = map[string]*providerResult{floorFloor: {}, floorCore: {}}
	}
	for _, kind := range []string{floorFloor, floorCore} {
		dir, err := r.workDir(res.sc, kind, run)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(floorConfig(kind, n, "")), 0o644); err != nil {
			return err
		}
		var ms []measure
		for _, st := range res.sc.steps {
			m, err := r.stepOf(dir, st, kind == floorFloor)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", kind, st.name, err)
			}
			ms = append(ms, m)
		}
		res.beside[kind].runs = append(res.beside[kind].runs, ms)
	}
	return nil
}

// stateTypes counts the resources of dir's state by type.
func (r *runner) stateTypes(dir string) (map[string]int, error) {
	cmd := exec.Command(r.o.terraform, "-chdir="+dir, "state", "list")
	cmd.Env = r.env()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("terraform state list: %w: %s", err, errOut.String())
	}
	types := map[string]int{}
	for _, address := range strings.Fields(out.String()) {
		types[strings.SplitN(address, ".", 2)[0]]++
	}
	return types, nil
}

// refreshReads is what refreshing one resource of each type needs by the definition of what it tracks: one
// read per guarantee or argument that no other call returns, and nothing read twice.
//   - gdpr_key: DescribeKey (state, key spec, usage, region type: three guarantees, and the description),
//     the rotation (a guarantee and its period), the policy and the tags (arguments).
//   - gdpr_bucket: where it is (invariant 9), and one GET per setting S3 returns only through its own call:
//     versioning, encryption, lifecycle, Object Lock (a guarantee and the default retention), public access
//     block, ownership, policy (the seven guarantees) and the tags.
//   - gdpr_server: the instance (type, image, network, metadata options, tags: DescribeInstances), the two
//     attributes DescribeInstances leaves out (shutdown behaviour, user data), and the root volume's
//     encryption, which only DescribeVolumes gives.
//   - gdpr_database: the instance, and the snapshots a replacement's move would start from, which every plan
//     names (a plan that promises a move has checked what could stop it).
var refreshReads = map[string][]string{
	"gdpr_key": {"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:ListResourceTags"},
	"gdpr_bucket": {"s3:GET?location", "s3:GET?versioning", "s3:GET?encryption", "s3:GET?lifecycle", "s3:GET?object-lock",
		"s3:GET?publicAccessBlock", "s3:GET?ownershipControls", "s3:GET?policy", "s3:GET?tagging"},
	"gdpr_server":   {"ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", "ec2:DescribeVolumes"},
	"gdpr_database": {"rds:DescribeDBInstances", "rds:DescribeDBSnapshots"},
}

// identityAccount is the request that tells which account the provider's credentials belong to: once per
// provider process that reads a bucket, whose identity names the account and which S3 does not say (with
// credentials validation on, Configure asks it instead, once too).
const identityAccount = "sts:GetCallerIdentity"

// neededRequests is what st needs by definition for the resources a configuration holds, by operation, and
// whether the step has a definition here: validation and a plan without refresh need none; a plan with
// refresh needs refreshReads per resource; the other steps (create, apply, destroy) have none here.
func neededRequests(st step, resources map[string]int) (map[string]int, bool) {
	switch {
	case st.args[0] == "validate", st.args[0] == "plan" && slices.Contains(st.args, "-refresh=false"):
		return map[string]int{}, true
	case st.name != stepPlanRefresh.name:
		return nil, false
	}
	need := map[string]int{}
	for typ, count := range resources {
		reads, ok := refreshReads[typ]
		if !ok {
			return nil, false
		}
		for _, op := range reads {
			need[op] += count
		}
	}
	if resources["gdpr_bucket"] > 0 {
		need[identityAccount]++
	}
	return need, true
}

// beyondNeed lists the operations sent more often than needed, with how many more, sorted.
func beyondNeed(sent, need map[string]int) []string {
	var extra []string
	for _, op := range slices.Sorted(maps.Keys(sent)) {
		if d := sent[op] - need[op]; d > 0 {
			extra = append(extra, fmt.Sprintf("%s +%d", op, d))
		}
	}
	return extra
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// renderBeside reports a scenario against the floor provider and Terraform alone: per step, each one's wall
// time and the ratios, gdpr's and the floor provider's peak RSS, and gdpr's requests against what the step
// needs by definition.
func renderBeside(b *strings.Builder, res *scenarioResult) {
	g, fl, core := res.providers[gdpr], res.beside[floorFloor], res.beside[floorCore]
	if g == nil || fl == nil || core == nil || len(fl.runs) == 0 {
		return
	}
	n := total(g.resources)
	fmt.Fprintf(b, "Against the floor: the same steps over %d resources for the floor provider (`bench/floor`, a "+
		"terraform-plugin-framework provider with one resource of one string attribute and no client) and for "+
		"Terraform alone (`terraform_data`), in the same runs. Requests needed: what the step needs by the definition "+
		"of what each resource tracks (bench/floors.go: one read per guarantee or argument no other call returns; "+
		"\"-\" where the step has no such definition here); beyond: operations sent more often than that.\n\n", n)
	b.WriteString("| step | gdpr (s) | floor (s) | core (s) | gdpr/floor | gdpr/core | RSS gdpr (MiB) | RSS floor (MiB) | requests sent | requests needed | beyond |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for i, st := range res.sc.steps {
		sent := g.runs[0][i].requests
		needed, beyond := "-", "-"
		if need, ok := neededRequests(st, g.resources); ok {
			needed = fmt.Sprint(total(need))
			if extra := beyondNeed(sent, need); len(extra) > 0 {
				beyond = strings.Join(extra, ", ")
			} else {
				beyond = "none"
			}
		}
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %.2f | %s | %s | %.0f | %.0f | %d | %s | %s |\n", st.name,
			seconds(g, i), seconds(fl, i), seconds(core, i), ratio(seconds(g, i), seconds(fl, i)), ratio(seconds(g, i), seconds(core, i)),
			mib(g, i), mib(fl, i), total(sent), needed, beyond)
	}
	b.WriteString("\n")
}
