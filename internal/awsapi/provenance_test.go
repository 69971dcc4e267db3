package awsapi

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestLeftovers_eachCreateTakesItsOwn proves the pool: leftovers made before this process are handed out
// one at a time to the creates whose fingerprint they carry, oldest first and never twice; one made after
// the process started (another run's create in progress) is never taken; the lookup runs once; a plan's
// report lists every leftover once.
func TestLeftovers_eachCreateTakesItsOwn(t *testing.T) {
	ctx := context.Background()
	before := processStart.Add(-time.Hour)
	lookups := 0
	find := func(context.Context) ([]Leftover, error) {
		lookups++
		return []Leftover{
			{ID: "b", Fingerprint: "fp1", Created: before.Add(time.Minute)},
			{ID: "a", Fingerprint: "fp1", Created: before},
			{ID: "c", Fingerprint: "fp2", Created: before},
			{ID: "in-progress", Fingerprint: "fp3", Created: processStart.Add(time.Second)},
		}, nil
	}
	var l leftovers
	var got []string
	for _, fp := range []string{"fp1", "fp1", "fp1", "fp2", "fp3"} {
		id, err := l.claim(ctx, fp, find)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if want := []string{"a", "b", "", "c", ""}; !slices.Equal(got, want) {
		t.Errorf("claims = %q, want %q", got, want)
	}
	if lookups != 1 {
		t.Errorf("the lookup ran %d times, want once per process", lookups)
	}
	first, err := l.report(ctx, find)
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	for _, f := range first {
		reported = append(reported, f.ID)
	}
	if want := []string{"a", "c", "b"}; !slices.Equal(reported, want) {
		t.Errorf("report = %q, want every leftover made before the process, oldest first: %q", reported, want)
	}
	if again, _ := l.report(ctx, find); again != nil {
		t.Errorf("a second report = %v, want nothing", again)
	}
}

// TestFingerprint_dependsOnEverythingGiven checks that the fingerprint changes with the region and each
// input, and not with map order.
func TestFingerprint_dependsOnEverythingGiven(t *testing.T) {
	in := ServerInput{ImageID: "ami-1", InstanceType: "t3.micro", Tags: map[string]string{"a": "1", "b": "2"}}
	base := Fingerprint("eu-central-1", "gdpr_server", in)
	if Fingerprint("eu-central-1", "gdpr_server", ServerInput{ImageID: "ami-1", InstanceType: "t3.micro", Tags: map[string]string{"b": "2", "a": "1"}}) != base {
		t.Error("the fingerprint depends on map order")
	}
	other := in
	other.UserData = "#!/bin/sh"
	for name, fp := range map[string]string{
		"region":    Fingerprint("eu-west-1", "gdpr_server", in),
		"type":      Fingerprint("eu-central-1", "gdpr_key", in),
		"user data": Fingerprint("eu-central-1", "gdpr_server", other),
	} {
		if fp == base {
			t.Errorf("a different %s gives the same fingerprint", name)
		}
	}
}

// TestLeftovers_planningDoesNotTakeFromCreates proves what Terraform's apply relies on: it plans each create
// again in the process that applies it, so what the plan tells a create must leave the leftover for the
// create to take; two planned creates with one fingerprint are told of two different leftovers.
func TestLeftovers_planningDoesNotTakeFromCreates(t *testing.T) {
	ctx := context.Background()
	before := processStart.Add(-time.Hour)
	find := func(context.Context) ([]Leftover, error) {
		return []Leftover{{ID: "a", Fingerprint: "fp", Created: before}, {ID: "b", Fingerprint: "fp", Created: before.Add(time.Second)}}, nil
	}
	var l leftovers
	var told []string
	for range 3 {
		id, err := l.promise(ctx, "fp", find)
		if err != nil {
			t.Fatal(err)
		}
		told = append(told, id)
	}
	if want := []string{"a", "b", ""}; !slices.Equal(told, want) {
		t.Errorf("planned creates told of %q, want %q", told, want)
	}
	for _, want := range []string{"a", "b"} {
		if id, _ := l.claim(ctx, "fp", find); id != want {
			t.Errorf("a create after the plan took %q, want %q", id, want)
		}
	}
}
