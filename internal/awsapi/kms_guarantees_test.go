package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func goodKey() *Key {
	return &Key{ID: "1234abcd-12ab-34cd-56ef-1234567890ab", State: "Enabled", KeySpec: "SYMMETRIC_DEFAULT",
		KeyUsage: "ENCRYPT_DECRYPT", RotationEnabled: true}
}

// TestKeyProblems pins the clauses users read when an import is refused, and their order.
func TestKeyProblems(t *testing.T) {
	deletion := time.Date(2027, 1, 2, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := map[string]struct {
		change func(*Key)
		want   []string
	}{
		"as guaranteed": {func(*Key) {}, nil},
		"everything broken": {
			func(k *Key) {
				k.MultiRegion, k.KeySpec, k.KeyUsage, k.RotationEnabled = true, "RSA_2048", "SIGN_VERIFY", false
			},
			[]string{
				"it is a multi-region key, which replicates key material outside the jurisdiction",
				"it is a RSA_2048 SIGN_VERIFY key, not a symmetric ENCRYPT_DECRYPT key",
				"automatic rotation is off",
			},
		},
		"symmetric key for HMAC": {
			func(k *Key) { k.KeyUsage = "GENERATE_VERIFY_MAC" },
			[]string{"it is a SYMMETRIC_DEFAULT GENERATE_VERIFY_MAC key, not a symmetric ENCRYPT_DECRYPT key"},
		},
		"disabled and unrotated": {
			func(k *Key) { k.State, k.RotationEnabled = "Disabled", false },
			[]string{"it was disabled outside Terraform"},
		},
		"pending deletion, rotation not reported": {
			func(k *Key) { k.State, k.DeletionAt, k.RotationEnabled = "PendingDeletion", &deletion, false },
			[]string{"it is pending deletion on 2027-01-02"},
		},
		"multi-region replica pending deletion": {
			func(k *Key) { k.State, k.MultiRegion = "PendingReplicaDeletion", true },
			[]string{"it is a multi-region key, which replicates key material outside the jurisdiction", "it is pending deletion"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			k := goodKey()
			tc.change(k)
			if got := k.Problems(); !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestKeyUnusable(t *testing.T) {
	deletion := time.Date(2027, 1, 2, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		state string
		at    *time.Time
		want  string
	}{
		{"Enabled", nil, ""},
		{"Creating", nil, ""},
		{"Disabled", nil, "was disabled outside Terraform"},
		{"PendingDeletion", &deletion, "is pending deletion on 2027-01-02"},
		{"PendingDeletion", nil, "is pending deletion"},
		{"PendingReplicaDeletion", &deletion, "is pending deletion on 2027-01-02"},
	}
	for _, tc := range tests {
		k := &Key{State: tc.state, DeletionAt: tc.at}
		if got := k.Unusable(); got != tc.want {
			t.Errorf("%s key: Unusable() = %q, want %q", tc.state, got, tc.want)
		}
	}
}

// TestCreateKeyInput_eachGuaranteeIsAskedFor creates, in the least safe KMS there could be, what CreateKey
// asks for, then the same with one guarantee left out of the request: the first key may lack only the
// rotation EnableKeyRotation turns on afterwards, the others must break exactly the one left out.
func TestCreateKeyInput_eachGuaranteeIsAskedFor(t *testing.T) {
	in := KeyInput{Description: "customer records", Tags: map[string]string{"team": "crm"}}
	rotationOff := keyRotation.why(nil)
	if got := leastSafeKey(createKeyInput(in, keyGuarantees)).Problems(); !slices.Equal(got, []string{rotationOff}) {
		t.Errorf("the key CreateKey asks for has problems %q, want only %q", got, rotationOff)
	}
	var notCreated []string
	for _, g := range keyGuarantees {
		if g.create == nil {
			notCreated = append(notCreated, g.name)
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			k := leastSafeKey(createKeyInput(in, without(keyGuarantees, g)))
			if got, want := k.Problems(), []string{g.why(k), rotationOff}; !slices.Equal(got, want) {
				t.Errorf("problems = %q\nwant %q", got, want)
			}
		})
	}
	// KMS creates every key usable, and rotation is a call of its own (TestEnableKeyRotation_recordsRotation).
	if want := []string{"usable", "rotation"}; !slices.Equal(notCreated, want) {
		t.Errorf("guarantees CreateKey does not ask for: %v, want %v", notCreated, want)
	}
}

// TestEnableKeyRotation_recordsRotation turns rotation on against a fake KMS: the request names the key and
// the period, and the key it records rotation in has no problem left.
func TestEnableKeyRotation_recordsRotation(t *testing.T) {
	isolate(t)
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "TrentService.EnableKeyRotation" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(body, &got)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: testRegion, AccessKey: "a", SecretKey: "b", MaxRetries: 0,
		Endpoints: Endpoints{KMS: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	k := leastSafeKey(createKeyInput(KeyInput{Description: "customer records"}, keyGuarantees))
	if err := c.EnableKeyRotation(context.Background(), k, 180); err != nil {
		t.Fatal(err)
	}
	if got["KeyId"] != k.ID || got["RotationPeriodInDays"] != float64(180) {
		t.Errorf("EnableKeyRotation sent %v", got)
	}
	if p := k.Problems(); len(p) > 0 {
		t.Errorf("the key after EnableKeyRotation has problems: %q", p)
	}
}

// A destroy that finds its key already scheduled for deletion has nothing left to do; any other state does.
func TestKeyPendingDeletion(t *testing.T) {
	for state, want := range map[string]bool{
		"PendingDeletion": true, "PendingReplicaDeletion": false, "Enabled": false, "Disabled": false, "": false,
	} {
		if got := (&Key{State: state}).PendingDeletion(); got != want {
			t.Errorf("state %q: PendingDeletion() = %v, want %v", state, got, want)
		}
	}
}
