// Package recommender trains and serves the storefront's product recommendations.
//
// It turns behaviour events (views, clicks, add-to-carts, purchases) into a
// weighted, de-duplicated, time-decayed user×item matrix and trains several
// models on it — time-decayed popularity and trending, item–item co-occurrence
// neighbours, implicit ALS, a truncated SVD, EASE and TF-IDF content
// similarity — that a hybrid blends per request. A trained *Model is
// immutable: retraining builds a new one, which callers swap in atomically
// (see Holder). Scoring applies the shop's rules (stock, exclusions, pins,
// boosts, diversity) and attaches a short, true reason to every item.
//
// The package works on plain slices and gonum matrices only. It must not
// import the web layer (Echo), the ORM (GORM) or any other storefront
// package; the models layer converts database rows into Dataset values.
package recommender
