package auth

import (
	"os"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

const admin = "tri_auth-test-admin"

// TestForgetBeatsALookupInFlight: a store lookup that began before a
// revocation must not put its answer back after Forget.
func TestForgetBeatsALookupInFlight(t *testing.T) {
	t.Parallel()
	var c cache
	h := Hash("tri_x")
	_, gen, _ := c.get(h) // a request starts checking the token...
	c.forget()            // ...an admin revokes it and this replica forgets...
	c.put(h, store.Principal{Kind: Upload}, gen)
	if _, _, ok := c.get(h); ok {
		t.Errorf("a lookup from before Forget was cached")
	}
	_, gen, _ = c.get(h)
	c.put(h, store.Principal{Kind: Upload}, gen)
	if _, _, ok := c.get(h); !ok {
		t.Errorf("a lookup after Forget was not cached")
	}
}

// TestBootstrapProof: the proof depends on both the cookie and the token,
// and there is none without a bootstrap token.
func TestBootstrapProof(t *testing.T) {
	t.Parallel()
	a, b, none := New(admin, nil, nil), New(admin+"2", nil, nil), New("", nil, nil)
	if string(a.BootstrapProof("c1")) != string(New(admin, nil, nil).BootstrapProof("c1")) {
		t.Errorf("the same token and cookie give different proofs")
	}
	if string(a.BootstrapProof("c1")) == string(a.BootstrapProof("c2")) || string(a.BootstrapProof("c1")) == string(b.BootstrapProof("c1")) {
		t.Errorf("proofs do not depend on both the cookie and the token")
	}
	if none.BootstrapProof("c1") != nil {
		t.Errorf("a server without a bootstrap token gives a proof")
	}
}
