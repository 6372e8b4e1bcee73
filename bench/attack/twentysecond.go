package main

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"storefront/models"
	"storefront/seed"
)

// twentySecondAttack replays what the twenty-second outside attack found
// (docs/security.md).
func (a *attack) twentySecondAttack() {
	a.insideAddresses()
	a.experimentFiguresOfNaN()
}

// insideAddresses: Low (the shop's mail relay). Registration took an
// address on the shop's own network (an address literal, a name of one
// label, localhost), and "Forgot your password?" had the relay deliver a
// reset email there. Such an address is refused and not mailed.
func (a *attack) insideAddresses() {
	const name = "registration refuses an address on the shop's own network, and nothing is mailed to it"
	c := a.client("127.0.22.1")
	for _, email := range []string{"attack22@[127.0.0.1]", "attack22@intranet", "attack22@localhost"} {
		res, _ := c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {"Inside"}, "email": {email},
			"password": {"attack twenty-two passphrase"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			a.check(name, false, "registering %s answered %d, want 422", email, res.StatusCode)
			return
		}
		c.post("/password/forgot", url.Values{"_csrf": {c.token("/password/forgot")}, "email": {email}})
	}
	time.Sleep(2 * time.Second)
	for _, email := range []string{"attack22@[127.0.0.1]", "attack22@intranet", "attack22@localhost"} {
		if got := a.relay.to(email); len(got) > 0 {
			a.check(name, false, "%d emails to %s", len(got), email)
			return
		}
	}
	a.check(name, true, "three addresses refused (422), no email")
}

// experimentFiguresOfNaN: Low (what the merchant reads). "NaN" parsed as a
// number and passed the experiment form's range checks: a 500 on SQLite,
// an experiment whose sample size every arm had reached on PostgreSQL,
// and a control group saved as -92233720368547760 %.
func (a *attack) experimentFiguresOfNaN() {
	const name = "an experiment's figures and the control group's share are numbers, not NaN"
	admin := a.client("127.0.22.2")
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check(name, false, "admin login: %d", s)
		return
	}
	res, body := admin.post("/admin/experiments", url.Values{"_csrf": {admin.token("/admin/experiments/new")}, "name": {"attack NaN"},
		"mde": {"NaN"}, "baseline": {"NaN"}, "arm1_name": {"Live"}, "arm1_source": {models.ArmLive},
		"arm2_name": {"Popular"}, "arm2_source": {"strategy:popular"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="mde-error"`) || !strings.Contains(body, `data-testid="baseline-error"`) {
		a.check(name, false, "an experiment with NaN figures answered %d without both fields' messages, want 422 with them", res.StatusCode)
		return
	}
	res, _ = admin.post("/admin/experiments/control", url.Values{"_csrf": {admin.token("/admin/experiments")}, "control_percent": {"NaN"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		a.check(name, false, "a control group of NaN %% answered %d, want 422", res.StatusCode)
		return
	}
	a.check(name, true, "both refused (422)")
}
