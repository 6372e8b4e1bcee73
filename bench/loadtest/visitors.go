package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"storefront/models"
	"storefront/seed"
	"storefront/web"
)

// visitor is one browser's cookies and CSRF form token.
type visitor struct {
	email  string // "" for an anonymous visitor
	cookie string // Cookie header value
	csrf   string
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// browser is an HTTP client with its own cookie jar whose connections come
// from the given local address. The login rate limit is per client address,
// so logging in many shoppers uses several addresses of 127.0.0.0/8.
func browser(local net.IP) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: 5 * time.Second}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getPage(ctx context.Context, hc *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return string(b), nil
}

// newVisitor opens the homepage (and, for a shopper, logs in through the
// form) and keeps the cookies the shop set.
func newVisitor(ctx context.Context, base string, local net.IP, email, session string) (visitor, error) {
	hc := browser(local)
	v := visitor{email: email}
	if session != "" {
		u, _ := url.Parse(base)
		hc.Jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: session, Path: "/"}})
	} else if email != "" {
		page, err := getPage(ctx, hc, base+"/login")
		if err != nil {
			return v, err
		}
		m := csrfInput.FindStringSubmatch(page)
		if m == nil {
			return v, fmt.Errorf("no CSRF token on /login")
		}
		form := url.Values{"email": {email}, "password": {seed.ShopperPassword}, "_csrf": {m[1]}, "next": {"/"}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := hc.Do(req)
		if err != nil {
			return v, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return v, fmt.Errorf("log in %s: %s", email, res.Status)
		}
	}
	// The first homepage also takes the welcome flash out of the session
	// and sets the CSRF cookie, whose value is the form token. Nobody looks
	// at a product while signing in: a visitor starts with no history (the
	// visitors' pages shown first are those of newcomers), and everyone
	// gathers history by browsing in the later phases.
	if _, err := getPage(ctx, hc, base+"/"); err != nil {
		return v, err
	}
	v.cookie = cookieHeader(hc, base)
	if email == "" {
		return v, nil
	}
	u, _ := url.Parse(base)
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == csrfCookie {
			v.csrf = c.Value
		}
	}
	if v.csrf == "" {
		return v, fmt.Errorf("no %s cookie after the homepage", csrfCookie)
	}
	if !strings.Contains(v.cookie, web.SessionCookie+"=") {
		return v, fmt.Errorf("log in %s: no session cookie", email)
	}
	return v, nil
}

// csrfCookie holds the CSRF token the shop's forms carry.
const csrfCookie = "sf_csrf"

// formLogins is how many shoppers log in through the login form; the rest
// get the same session written straight into the database (web.SignInSessions),
// so a thousand shoppers do not cost a thousand bcrypt checks on the
// machine being measured.
const formLogins = 24

// newVisitors signs in n distinct random seeded shoppers (or opens n
// anonymous visitors when shoppers is 0), a few at a time.
func newVisitors(ctx context.Context, base, dbPath string, n, shoppers int, rng *rand.Rand) ([]visitor, error) {
	var emails, sessions []string
	if shoppers > 0 {
		var direct []string
		for k, u := range rng.Perm(shoppers)[:min(n, shoppers)] {
			emails = append(emails, fmt.Sprintf("shopper%05d@example.com", u+1))
			if k >= formLogins {
				direct = append(direct, fmt.Sprintf("u%05d", u+1))
			}
		}
		db, err := models.Open(dbPath)
		if err != nil {
			return nil, err
		}
		signed, err := web.SignInSessions(ctx, db, direct)
		db.Close()
		if err != nil {
			return nil, err
		}
		sessions = make([]string, len(emails))
		copy(sessions[min(formLogins, len(emails)):], signed)
	} else {
		emails = make([]string, n)
		sessions = make([]string, n)
	}
	out := make([]visitor, len(emails))
	errs := make([]error, len(emails))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, email := range emails {
		// Eight logins per client address stay inside the limiter's burst.
		local := net.IPv4(127, 0, 1+byte(i/8/250), 2+byte(i/8%250))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i], errs[i] = newVisitor(ctx, base, local, email, sessions[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("loadtest: %w", err)
		}
	}
	return out, nil
}

// cookieHeader is the Cookie header the client's jar holds for base.
func cookieHeader(hc *http.Client, base string) string {
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range hc.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// warmOn opens every visitor's homepage once on each of the other
// instances, so that every instance starts a phase with the visitors'
// pages cached, as the first instance has them after signing in.
func warmOn(ctx context.Context, bases []string, visitors ...[]visitor) error {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, base := range bases {
		for _, vs := range visitors {
			for _, v := range vs {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
					if err == nil {
						req.Header.Set("Cookie", v.cookie)
						var res *http.Response
						if res, err = hc.Do(req); err == nil {
							io.Copy(io.Discard, res.Body)
							res.Body.Close()
							if res.StatusCode != http.StatusOK {
								err = fmt.Errorf("GET %s/: %s", base, res.Status)
							}
						}
					}
					if err != nil {
						mu.Lock()
						first = cmp.Or(first, err)
						mu.Unlock()
					}
				}()
			}
		}
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("loadtest: warm the other instances: %w", first)
	}
	return nil
}
