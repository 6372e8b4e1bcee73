package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// bootstrapRounds resamples agents (with their visits in every arm together) for
// the confidence intervals.
const bootstrapRounds = 2000

// means returns, per arm, the mean of f over the agents at the given
// indexes.
func means(res *results, idx []int, f func(visit) float64) [numArms]float64 {
	var out [numArms]float64
	for a := range numArms {
		sum := 0.0
		for _, i := range idx {
			sum += f(res.visits[a][i])
		}
		out[a] = sum / float64(len(idx))
	}
	return out
}

// figures are the run's headline numbers for one resample.
type figures struct {
	carts  [numArms]float64
	ratio  float64 // cookies kept ÷ new visitor every page
	uplift float64 // share of the oracle's uplift over the new-visitor arm
	after  float64 // the same share for the oracle after the first click
}

func figuresOf(res *results, idx []int) figures {
	f := figures{carts: means(res, idx, func(v visit) float64 { return float64(v.carts) })}
	c := f.carts
	f.ratio, f.uplift, f.after = math.NaN(), math.NaN(), math.NaN()
	if c[armNew] > 0 {
		f.ratio = c[armCookies] / c[armNew]
	}
	if c[armOracle] > c[armNew] {
		f.uplift = (c[armCookies] - c[armNew]) / (c[armOracle] - c[armNew])
		f.after = (c[armOracleAfter] - c[armNew]) / (c[armOracle] - c[armNew])
	}
	return f
}

// interval is the 2.5th and 97.5th percentile, NaNs left out.
func interval(xs []float64) (lo, hi float64) {
	xs = slices.DeleteFunc(slices.Clone(xs), math.IsNaN)
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(xs)
	at := func(q float64) float64 { return xs[min(len(xs)-1, int(q*float64(len(xs))))] }
	return at(0.025), at(0.975)
}

func report(w io.Writer, o options, res *results, prepared, browsed time.Duration) {
	n := len(res.visits[armCookies])
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	point := figuresOf(res, all)
	clicks := means(res, all, func(v visit) float64 { return float64(v.clicks) })
	pages := means(res, all, func(v visit) float64 { return float64(v.pages) })
	clicked := means(res, all, func(v visit) float64 {
		if v.clicks > 0 {
			return 1
		}
		return 0
	})

	rng := rand.New(rand.NewPCG(o.seed, 0xb007))
	var carts [numArms][]float64
	var ratios, uplifts, afters []float64
	idx := make([]int, n)
	for range bootstrapRounds {
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		f := figuresOf(res, idx)
		for a := range numArms {
			carts[a] = append(carts[a], f.carts[a])
		}
		ratios = append(ratios, f.ratio)
		uplifts = append(uplifts, f.uplift)
		afters = append(afters, f.after)
	}

	reads := "homepages, not a product page's rows"
	if o.productRows {
		reads = "homepages and a product page's rows"
	}
	fmt.Fprintf(w, "visitors: %d agents per arm, seed %d, tastes from the %s, agents read %s, oracle page of %d cards; world %d products, %d shoppers, %d events\n",
		n, o.seed, o.tastes, reads, res.layout, o.products, o.shoppers, o.events)
	fmt.Fprintf(w, "%-24s %22s %15s %14s %14s\n", "arm", "add-to-cart/visitor", "clicks/visitor", "pages/visitor", "clicked once")
	for a := range numArms {
		lo, hi := interval(carts[a])
		fmt.Fprintf(w, "%-24s %6.3f [%5.3f, %5.3f] %15.2f %14.2f %12.0f %%\n", a, point.carts[a], lo, hi, clicks[a], pages[a], 100*clicked[a])
	}
	lo, hi := interval(ratios)
	fmt.Fprintf(w, "cookies kept ÷ new visitor every page: %.2f× [%.2f, %.2f]\n", point.ratio, lo, hi)
	lo, hi = interval(uplifts)
	fmt.Fprintf(w, "share of the oracle's uplift over new visitor every page: %.0f %% [%.0f, %.0f]\n", 100*point.uplift, 100*lo, 100*hi)
	lo, hi = interval(afters)
	fmt.Fprintf(w, "the same share for the oracle after the first click (the most a page following the visit can reach): %.0f %% [%.0f, %.0f]\n",
		100*point.after, 100*lo, 100*hi)
	// The shop keeps a standing control group (Experiments page, 5 % of
	// visitors by default) that gets the stranger's page throughout: the
	// same figures over the agents whose visitor is outside it, the
	// visitors the shop personalizes.
	if kept := personalized(res); len(kept) > 0 && len(kept) < n {
		pf := figuresOf(res, kept)
		var pr, pu []float64
		sub := make([]int, len(kept))
		for range bootstrapRounds {
			for i := range sub {
				sub[i] = kept[rng.IntN(len(kept))]
			}
			f := figuresOf(res, sub)
			pr, pu = append(pr, f.ratio), append(pu, f.uplift)
		}
		rlo, rhi := interval(pr)
		ulo, uhi := interval(pu)
		fmt.Fprintf(w, "the same without the shop's control group (%d of %d agents' visitors in it, shown the stranger's page throughout): cookies kept ÷ new visitor %.2f× [%.2f, %.2f], share %.1f %% [%.0f, %.0f]\n",
			n-len(kept), n, pf.ratio, rlo, rhi, 100*pf.uplift, 100*ulo, 100*uhi)
	}
	var first pageSums
	for _, v := range res.visits[armNew] {
		first.add(v.first)
	}
	if first.pages > 0 {
		fmt.Fprintf(w, "a stranger's first homepage, its chance of a click and of a cart (before the agent's draws): click %.3f   cart %.3f\n",
			first.click/float64(first.pages), first.carted/float64(first.pages))
	}
	fmt.Fprintln(w, "homepages after the first without a click yet (a visitor back without a click), each page's chance of a click and of a cart (before the agent's draws):")
	for _, a := range []arm{armCookies, armNew} {
		var sum pageSums
		for _, v := range res.visits[a] {
			sum.add(v.back)
		}
		if sum.pages > 0 {
			fmt.Fprintf(w, "  %-24s %5d pages   click %.3f   cart %.3f\n", a, sum.pages, sum.click/float64(sum.pages), sum.carted/float64(sum.pages))
		}
	}
	fmt.Fprintln(w, "homepages after the first click, each page's chance of a click and of a cart (before the agent's draws):")
	for _, a := range []arm{armCookies, armNew, armOracleAfter} {
		var sum pageSums
		for _, v := range res.visits[a] {
			sum.add(v.after)
		}
		if sum.pages > 0 {
			fmt.Fprintf(w, "  %-24s %5d pages   click %.3f   cart %.3f\n", a, sum.pages, sum.click/float64(sum.pages), sum.carted/float64(sum.pages))
		}
	}
	afterByLatest(w, res.visits[armCookies])
	fmt.Fprintln(w, "visitors who clicked at least once, how their visit ended (share of them, add-to-cart per visitor):")
	for a := range numArms {
		e := endings(res.visits[a])
		if e.visits == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-24s %4d visitors   had what they came for %3.0f %% (%.2f)   out of patience %3.0f %% (%.2f)   at the page limit %3.0f %% (%.2f)\n",
			a, e.visits, 100*e.share(endWants), e.carts(endWants), 100*e.share(endPatience), e.carts(endPatience), 100*e.share(endPages), e.carts(endPages))
	}
	if o.productRows {
		fmt.Fprint(w, "products opened from a product page's rows, per visitor:")
		for a := range numArms {
			fmt.Fprintf(w, "  %s %.2f", a, means(res, all, func(v visit) float64 { return float64(v.rowClicks) })[a])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "(95 %% intervals: %d bootstrap resamples of agents; seeding and training %s, browsing %s)\n",
		bootstrapRounds, prepared.Round(time.Second), browsed.Round(time.Second))
}

// personalized returns the indexes of the agents whose cookies-kept visitor
// is outside the shop's control group.
func personalized(res *results) []int {
	var out []int
	for i, v := range res.visits[armCookies] {
		if !v.control {
			out = append(out, i)
		}
	}
	return out
}

// ended tallies how visits with at least one click ended.
type ended struct {
	visits int
	n      [3]int
	sum    [3]int // add-to-cart
}

func (e ended) share(k ending) float64 { return float64(e.n[k]) / float64(e.visits) }

func (e ended) carts(k ending) float64 {
	if e.n[k] == 0 {
		return 0
	}
	return float64(e.sum[k]) / float64(e.n[k])
}

// endings tallies, over the visits with at least one click, why they
// ended and what they put in the cart: the visits that ran out of patience
// after a click are the ones the pages after a click lost.
func endings(vs []visit) ended {
	var e ended
	for _, v := range vs {
		if v.clicks == 0 {
			continue
		}
		e.visits++
		e.n[v.ended]++
		e.sum[v.ended] += v.carts
	}
	return e
}

// afterByLatest writes, for the cookies-kept arm, the homepages after the
// first click by what the latest product the agent opened is to its hidden
// taste, and the visitors by what their first opened product was, with
// their add-to-cart: where the pages after a click lose, which the shop
// cannot see (reporting only).
func afterByLatest(w io.Writer, vs []visit) {
	names := [numLatest]string{"a category it came for", "another category of its department", "outside its department", "the control group's pages"}
	var by [numLatest]pageSums
	var firsts [numLatest]struct{ visits, carts int }
	for _, v := range vs {
		for k := range numLatest {
			by[k].add(v.afterBy[k])
		}
		if v.clicks > 0 && !v.control {
			firsts[v.firstKind].visits++
			firsts[v.firstKind].carts += v.carts
		}
	}
	fmt.Fprintln(w, "  cookies kept, by the latest product opened, to the agent's hidden taste (pages, click, cart):")
	for k := range numLatest {
		if by[k].pages > 0 {
			fmt.Fprintf(w, "    %-38s %5d pages   click %.3f   cart %.3f\n", names[k], by[k].pages, by[k].click/float64(by[k].pages), by[k].carted/float64(by[k].pages))
		}
	}
	fmt.Fprint(w, "  cookies kept, outside the control group, visitors by their first product opened (visitors, add-to-cart per visitor):")
	for k := range latestControl {
		if f := firsts[k]; f.visits > 0 {
			fmt.Fprintf(w, "   %s %d (%.2f)", names[k], f.visits, float64(f.carts)/float64(f.visits))
		}
	}
	fmt.Fprintln(w)
}
