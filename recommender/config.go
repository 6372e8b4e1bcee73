package recommender

import (
	"fmt"
	"time"
)

// Config holds every training knob. Start from DefaultConfig: it is the
// one configuration for every shop, and Fit tunes it on the shop's own data.
type Config struct {
	// Signals.
	TypeWeights [numEventTypes]float64 // weight per event type; 0 ignores the type
	HalfLife    time.Duration          // interaction time decay; 0 disables decay
	DecayFloor  float64                // the least weight decay leaves an old interaction (0..1), so long-ago tastes still count
	DedupWindow time.Duration          // repeats of the same user/item/type within this window count once
	MaxStrength float64                // cap on one user–item strength after summing (the default, two purchases, keeps a staple bought again and again from crowding the history); 0 = no cap
	BotGuard    bool                   // drop machine-like users, judged against the shop's own distribution (see botGuard)
	// BurstPower is how far a product many shoppers came to in one week
	// (a wave of attention) weighs less in each shopper's tastes: the
	// power of (1 − its shoppers' share beyond its steady rate in its
	// busiest week) (burst.go); 0 counts every product alike.
	BurstPower float64
	// RatingGain is how far a rating away from the shopper's own mean moves
	// the product's weight in their profile for the neighbour models and
	// the shopper's words (not EASE), in a shop whose events carry ratings
	// (detectRatings): 2^(gain × stars from the mean), between ⅛ and 2;
	// 0 ignores ratings.
	RatingGain float64

	// Popularity and trending.
	PopularityHalfLife time.Duration // 0 = plain counts
	TrendingWindow     time.Duration // recent window
	TrendingBaseline   time.Duration // long-term window the recent rate is compared with
	// Newcomer is the popularity a shopper without history is shown;
	// Fit chooses it on the shop's own new shoppers (chooseNewcomer).
	Newcomer NewcomerForm

	// Item–item neighbours.
	Neighbors      int     // neighbours kept per item
	KNNShrink      float64 // added to the cosine denominator; damps pairs seen together by few users
	MaxUserHistory int     // items of one user used for co-occurrence (most recent/strongest first); 0 = all
	KNN            KNNForm // the similarity's form (cosine, RP3β-like; see cooccurrenceNeighbors)

	// Profile: how a shopper's history items count when the neighbour
	// models and EASE score from it.
	Profile ProfileConfig

	ALS     ALSConfig
	SVD     SVDConfig
	EASE    EASEConfig
	Content ContentConfig
	Weights HybridWeights
	// EASEFallback is the share of EASE's blend weight that item-kNN takes
	// in a model where EASE is not trained (a catalog above its item
	// limit), so an untuned large catalog still scores what goes with the
	// shopper's products. Tuning fits the blend on the shop's own data and
	// clears it.
	EASEFallback float64
	// Candidates: per-shopper candidate lists precomputed at training time.
	Candidates CandidateConfig

	Workers int // parallelism for training; 0 = GOMAXPROCS

	// TuneBudget bounds the wall time Fit spends choosing the settings
	// above on the shop's own held-out data; 0 = DefaultTuneBudget,
	// negative = train these settings as they are.
	TuneBudget time.Duration
	// tuneFit marks the fits tuning compares: they are scored for
	// shoppers only, so the "bought together" neighbours of a product
	// page are not trained.
	tuneFit bool
	// tuneNoSeason leaves the category season out of tuning's fits
	// (checkSeasonAtEnd).
	tuneNoSeason bool
}

// ProfileConfig shapes the weights of a shopper's history items for the
// neighbour models and EASE. A time split's next events continue the
// shopper's latest sessions, so the latest items can count most.
type ProfileConfig struct {
	// RecencyHalfRank halves an item's weight every this many places down
	// the shopper's history, latest item first; 0 = order does not count.
	RecencyHalfRank float64
	// RecencyFloor is the least share of its weight recency leaves an item (0..1).
	RecencyFloor float64
	// Flatten moves each item's strength toward 1: weight = strength^(1−Flatten);
	// 0 keeps the strengths, 1 counts every item once.
	Flatten float64
}

// KNNForm is the form of the item–item similarity: the co-occurrence
// count, each shopper damped by |I_u|^UserDamp, over |U_i|^Source·|U_j|^Target.
// Cosine is Source = Target = ½, UserDamp = 0.
type KNNForm struct {
	Source, Target, UserDamp float64
}

// CosineKNN is plain cosine similarity.
var CosineKNN = KNNForm{Source: 0.5, Target: 0.5}

// ALSConfig configures implicit ALS (Hu, Koren, Volinsky 2008).
type ALSConfig struct {
	Factors    int     // 0 disables ALS
	Iterations int     // alternating sweeps
	Alpha      float64 // confidence c = 1 + Alpha·r
	Reg        float64 // L2 regularisation λ
	CGSteps    int     // conjugate-gradient steps per row (warm-started)
	Seed       int64
	// AttributePrior centres the regularisation of a product's factors on
	// this share of the mean factors of its attributes (categories, brand,
	// rarer words; als_attributes.go) instead of on zero: 0 is plain ALS,
	// 1 the attributes' mean. A product few shoppers touched then scores
	// like its department, brand and style words.
	AttributePrior float64
	// LogStrength compresses each user–item strength r to log(1 + r/m),
	// m the shop's median strength, before it becomes a confidence: a
	// purchased product (view, cart and purchase: 13 with the default
	// type weights) then counts about 4 times a product only viewed
	// instead of 13 times, whatever scale the shop's strengths have.
	LogStrength bool
}

// SVDConfig configures the randomized truncated SVD.
type SVDConfig struct {
	Rank       int // 0 disables SVD
	Oversample int
	PowerIters int
	Seed       int64
}

// EASEConfig configures EASE (Steck 2019).
type EASEConfig struct {
	Lambda   float64
	MaxItems int // EASE is skipped for larger catalogs (items² memory, items³ time); 0 disables
	// tuneTop marks tuning's fits with the default budget: they cover the
	// most-interacted half of the active items (tuneItems).
	tuneTop bool
}

// ContentConfig configures TF-IDF content similarity.
type ContentConfig struct {
	Neighbors int // content neighbours kept per item; 0 disables
}

// HybridWeights are the blend weights of the Hybrid strategy. Each component
// is normalised to [0,1] per request before weighting.
type HybridWeights struct {
	ALS, SVD, EASE, KNN, Content, Popular, Trending float64
	Next                                            float64 // transitions from the shopper's latest items
	Category, Brand, Price                          float64 // the shopper's category, brand and price affinity
	Fresh                                           float64 // recently launched products
	CatPop                                          float64 // popular in the shopper's categories: category affinity × the product's share of its category's popularity
	Terms                                           float64 // the taste model over the products' words: category share × popularity share × the lifts of the history's words (terms.go)
	// AfterPurchase: what shoppers went on to after the products the
	// shopper bought (the transitions from every purchase in the history;
	// left out in a shop where most pairs are purchases; sequence.go).
	AfterPurchase float64
	// PurchaseLeadsTo: what a purchase of a product leads shoppers to more
	// often than a visit of it does (a case after the phone, the matching
	// chair after the table), from every purchase in the history; only
	// pairs the shop's own data shows beyond chance (sequence.go).
	PurchaseLeadsTo float64
	// ShortHistory is popularity's lean for a short history: its weight in
	// a shopper's blend grows by ShortHistory over the number of products
	// in the history (all of it for one product, a tenth for ten). One or
	// two products say little of a taste and the models' scores from them
	// are noisy; whether such a shopper is better served close to what
	// everyone buys depends on the shop (on shops where popularity is
	// strong the blend alone lost 22–41 % to it for them; on the suite's,
	// where it is weak, a lean of 6 cost up to 27 %), so tuning decides it
	// on the shop's own held-out shoppers (0 by default). It is not one of
	// the parts: a new visitor's session blend leaves it out.
	ShortHistory float64
	// Season is the power of the category season factor every blended
	// score is multiplied by: the product's category's share of the
	// recent window against its share of the whole history (season.go;
	// 0: off). Like ShortHistory it is not one of the parts.
	Season float64
	// Calibrate is the weight λ of a calibrated row (calibrate.go): the
	// row's best products re-ranked so that its mix of categories
	// approaches the shopper's target mix, (1−λ)·relevance against
	// λ·divergence (0: off). Like ShortHistory it is not one of the parts.
	Calibrate float64
	// Order is how far a product the shoppers who took the shopper's
	// products took before them moves down: its score is multiplied by
	// (1 − x)^Order, x growing from 0 to 1 as the direction goes from
	// −orderFloor to always before (order.go; 0: off, the default). Like
	// ShortHistory it is not one of the parts: tuning turns it on where
	// the shop's held-out shoppers say so.
	Order float64
	// CategoryMix is the calibration target's weight on the shopper's own
	// categories (the rest on the shop's): set by training from the shop's
	// data (categoryMix), which next products it explains best.
	CategoryMix float64
}

// DefaultConfig returns settings for shop behaviour data.
func DefaultConfig() Config {
	var tw [numEventTypes]float64
	tw[View], tw[Click], tw[AddToCart], tw[Purchase] = 1, 2, 4, 8
	return Config{
		TypeWeights:        tw,
		HalfLife:           0, // no interaction decay unless tuning finds that it pays for this shop
		DecayFloor:         0.2,
		DedupWindow:        30 * time.Minute,
		MaxStrength:        16,
		BotGuard:           true,
		BurstPower:         2,
		RatingGain:         0.5,
		PopularityHalfLife: 7 * 24 * time.Hour,
		TrendingWindow:     48 * time.Hour,
		TrendingBaseline:   28 * 24 * time.Hour,
		Neighbors:          200,
		KNNShrink:          0,
		MaxUserHistory:     500,
		KNN:                CosineKNN,
		// Every history item counts once for the neighbour models and EASE,
		// halved every 10 places down the history, latest first, to a floor
		// of 0.3: a shopper's next steps continue their latest ones.
		Profile: ProfileConfig{RecencyHalfRank: 10, RecencyFloor: 0.3, Flatten: 1},
		ALS:     ALSConfig{Factors: 64, Iterations: 15, Alpha: 10, Reg: 50, CGSteps: 3, Seed: 1, AttributePrior: 1, LogStrength: true},
		SVD:     SVDConfig{Rank: 48, Oversample: 16, PowerIters: 3, Seed: 1},
		EASE:    EASEConfig{Lambda: 200, MaxItems: 3000}, // items³ time: 5,000 items already take ~40 s on 2 cores
		Content: ContentConfig{Neighbors: 30},
		// Item-kNN only where tuning finds it pays; freshness (a product
		// launched now: 1, halved every 14 days) at 1, nothing in a shop
		// without recent launches; what followed the shopper's purchases
		// at 0.15, and what a purchase leads to beyond chance as a whole
		// part (docs/recommender.md).
		Weights:      HybridWeights{ALS: 1, SVD: 0, EASE: 1, KNN: 0, Content: 0.15, Popular: 0, Trending: 0.05, Fresh: 0.3, Terms: 0.3, AfterPurchase: 0.15, PurchaseLeadsTo: 1, Season: 0.5},
		EASEFallback: 0.5,
		Candidates:   DefaultCandidateConfig(),
	}
}

func (c Config) validate() error {
	switch {
	case c.ALS.Factors < 0 || c.SVD.Rank < 0 || c.Neighbors < 0 || c.Content.Neighbors < 0:
		return fmt.Errorf("recommender: negative model size in config")
	case c.ALS.Factors > 0 && (c.ALS.Iterations <= 0 || c.ALS.CGSteps <= 0 || c.ALS.Reg < 0 || c.ALS.Alpha < 0):
		return fmt.Errorf("recommender: ALS needs iterations and CG steps > 0 and non-negative alpha and reg")
	case c.ALS.AttributePrior < 0 || c.ALS.AttributePrior > 1:
		return fmt.Errorf("recommender: ALS attribute prior must be in [0, 1], not %g", c.ALS.AttributePrior)
	case c.RatingGain < 0:
		return fmt.Errorf("recommender: negative rating gain")
	case c.EASEFallback < 0:
		return fmt.Errorf("recommender: negative EASE fallback share")
	case c.EASE.MaxItems > 0 && c.EASE.Lambda <= 0:
		return fmt.Errorf("recommender: EASE lambda must be > 0")
	}
	for t, w := range c.TypeWeights {
		if w < 0 {
			return fmt.Errorf("recommender: negative weight for %s", EventType(t))
		}
	}
	return nil
}
