# Reference fits from lme4 (Debian r-cran-lme4) for R's formula habits: factor(), ordered(), relevel(),
# poly(), ns(), bs(), scale(), sin/exp/pmin/round, %in%, `-`, grouping by an expression, and predictions
# on new rows that reuse the training data's bases (R's makepredictcall).
# A copy of packages/core/test/conformance/lme4-reference.R, extended: same JSON fields, plus
# `term_labels`, `fixef_dropped`, `predvars_fixed`, `predvars_random`, `r_messages` and `predictions`.
# Usage (from the repository root):
#   Rscript packages/core/test/conformance-formula/lme4-reference.R packages/core/test/conformance-formula packages/core/test/conformance-formula/models.tsv
# MODELS.tsv: name, dataset, formula, REML (TRUE/FALSE), optional weights column, optional newdata
# column (a CSV in OUTDIR; R's predictions on its rows go into the JSON); tab-separated, with a header
# line. A dataset is an R data set as package::name, "hsb" (nlme's MathAchieve with MathAchSchool's
# Sector), "sleepstudy_g" or "sleepstudy_na" (lme4's sleepstudy with columns added, made below), or a
# CSV already in OUTDIR. Writes OUTDIR/<dataset>.csv for each dataset used and OUTDIR/<model>.json per model.
suppressPackageStartupMessages({
  library(lme4); library(lmerTest); library(jsonlite); library(nlme, exclude = "lmList"); library(mlmRev)
  library(splines)  # ns() and bs() in formulas, as an R user has them after library(splines)
})
args <- commandArgs(TRUE)
out <- args[1]
spec <- read.delim(args[2], stringsAsFactors = FALSE, comment.char = "#", quote = "")  # formulas may hold quotes: relevel(f, ref = "b")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

hsb <- function() {
  d <- as.data.frame(nlme::MathAchieve)
  d$School <- factor(as.character(d$School))
  d$MEANSES <- as.numeric(d$MEANSES)
  d$Sector <- nlme::MathAchSchool$Sector[match(d$School, nlme::MathAchSchool$School)]
  d[, c("School", "Minority", "Sex", "SES", "MathAch", "MEANSES", "Sector")]
}
# sleepstudy with a text factor g (subject-level: low, mid, High; C-locale order High < low < mid),
# a numeric subject-level Dose (5, 10, 20: factor(Dose) sorts 5 < 10 < 20, not as strings) and a
# second grouping column g2 (even/odd day), for relevel() on text, interaction(Subject, g2), poly():g.
sleepstudy_g <- function() {
  d <- as.data.frame(lme4::sleepstudy)
  i <- as.integer(d$Subject)  # 1..18 in the order of the levels 308, 309, ..., 372
  d$g <- factor(c("low", "mid", "High")[(i - 1) %% 3 + 1])
  d$Dose <- c(5, 10, 20)[(i - 1) %/% 6 + 1]
  d$g2 <- factor(ifelse(d$Days %% 2 == 0, "even", "odd"))
  d
}
# sleepstudy with missing values: Reaction missing on 13 rows (Days 8 and 9 of the first six
# subjects, day 0 of the last), and Days_na (a copy of Days) missing on 5 other rows (day 1 of
# subjects 10-13, day 2 of subject 18). R computes a basis (poly's coefficients, ns/bs knots,
# scale's centre and scale) from every row where its own argument is present, rows with a missing
# response included, and only then drops the incomplete rows.
sleepstudy_na <- function() {
  d <- as.data.frame(lme4::sleepstudy)
  i <- as.integer(d$Subject)
  d$Reaction[(i <= 6 & d$Days >= 8) | (i == 18 & d$Days == 0)] <- NA
  d$Days_na <- d$Days
  d$Days_na[(i %in% 10:13 & d$Days == 1) | (i == 18 & d$Days == 2)] <- NA
  d
}
load_dataset <- function(key) {
  if (key == "hsb") return(hsb())
  if (key == "sleepstudy_g") return(sleepstudy_g())
  if (key == "sleepstudy_na") return(sleepstudy_na())
  if (grepl("::", key)) {
    pk <- strsplit(key, "::")[[1]]
    # a package's lazy data (MASS::Sitka) is found as `::` finds it, attached or not
    return(as.data.frame(getExportedValue(pk[1], pk[2])))
  }
  read.csv(file.path(out, paste0(key, ".csv")), stringsAsFactors = TRUE)
}
if (is.null(spec$weights)) spec$weights <- ""
spec$weights[is.na(spec$weights)] <- ""
if (is.null(spec$newdata)) spec$newdata <- ""
spec$newdata[is.na(spec$newdata)] <- ""
models <- lapply(seq_len(nrow(spec)), function(i) list(spec$name[i], spec$dataset[i], spec$formula[i], as.logical(spec$REML[i]), spec$weights[i], spec$newdata[i]))
dataset_file <- function(key) sub("^.*::", "", key)

# Fit on the data as read back from the CSV that the project reads too: categorical columns are
# the ones that were factors in R, with levels in C-locale string order (read.csv's order).
invisible(Sys.setlocale("LC_COLLATE", "C"))
used <- unique(vapply(models, function(m) m[[2]], ""))
datasets <- list(); factor_cols <- list()
for (key in used) {
  orig <- load_dataset(key)
  csv <- file.path(out, paste0(dataset_file(key), ".csv"))
  if (grepl("::", key) || key %in% c("hsb", "sleepstudy_g", "sleepstudy_na")) write.csv(orig, csv, row.names = FALSE)
  back <- read.csv(csv, stringsAsFactors = FALSE)
  fc <- names(orig)[vapply(orig, function(col) is.factor(col) || is.character(col), TRUE)]
  for (col in fc) back[[col]] <- factor(as.character(back[[col]]))
  datasets[[key]] <- back
  factor_cols[[key]] <- fc
}

vc_list <- function(fit) {
  vc <- VarCorr(fit)
  out <- lapply(names(vc), function(g) {
    m <- vc[[g]]
    list(group = sub("\\.[0-9]+$", "", g), names = I(colnames(m)), covariance = unname(as.matrix(m)),
         sd = I(unname(attr(m, "stddev"))), corr = unname(as.matrix(attr(m, "correlation"))))
  })
  out
}

time_fit <- function(expr_fun, reps) {
  t <- numeric(reps)
  for (i in seq_len(reps)) t[i] <- system.time(expr_fun())[["elapsed"]]
  median(t)
}

# A grouping expression such as (1 | factor(tree)): lme4 evaluates it in its model frame, which holds
# factor(tree)'s column but not tree's, and stops ("couldn't evaluate grouping factor", lme4 issue
# #464). With the data's columns attached it finds them and fits the model under the expression's own
# name (ngrps "factor(tree)"). Only for such formulas, and only when no row is dropped (same rows).
needs_columns <- function(g) if (!is.call(g)) FALSE else
  if (as.character(g[[1]]) %in% c(":", "/")) any(vapply(as.list(g)[-1], needs_columns, TRUE)) else TRUE
grouping_calls <- function(f) any(vapply(lme4::findbars(f), function(b) needs_columns(b[[3]]), TRUE))

# R's messages and warnings while fitting or predicting (lme4's "fixed-effect model matrix is rank
# deficient so dropping 1 column / coefficient", bs()'s "some 'x' values beyond boundary knots
# may cause ill-conditioned bases"), kept in the JSON.
with_messages <- function(expr) {
  msgs <- character(0)
  value <- withCallingHandlers(expr,
    warning = function(w) { msgs <<- c(msgs, paste("warning:", conditionMessage(w))); invokeRestart("muffleWarning") },
    message = function(m) { msgs <<- c(msgs, paste("message:", trimws(conditionMessage(m)))); invokeRestart("muffleMessage") })
  list(value = value, messages = unique(msgs))
}
one_line <- function(x) if (is.null(x)) NULL else paste(trimws(deparse(x, width.cutoff = 500L)), collapse = " ")

# New rows for predict(): the CSV read as the data set is (its categorical columns become factors),
# with the training levels first so that a level the new rows lack is still a level, and any new
# level (a new subject) after them.
read_newdata <- function(file, data, fc) {
  nd <- read.csv(file.path(out, file), stringsAsFactors = FALSE)
  for (col in intersect(fc, names(nd))) {
    v <- as.character(nd[[col]])
    nd[[col]] <- factor(v, levels = unique(c(levels(data[[col]]), v[!is.na(v)])))
  }
  nd
}

for (m in models) {
  name <- m[[1]]; data <- datasets[[m[[2]]]]; f <- as.formula(m[[3]]); reml <- m[[4]]; w <- m[[5]]; nd_file <- m[[6]]
  attached <- grouping_calls(f)
  if (attached) {
    stopifnot(!anyNA(data[all.vars(f)]))
    attach(data, name = "hlm_grouping_columns", warn.conflicts = FALSE)
  }
  if (nzchar(w)) {
    data$hlm_prior_weights <- data[[w]]
    fitm <- with_messages(lmerTest::lmer(f, data = data, REML = reml, weights = hlm_prior_weights))
    fit <- fitm$value
    secs <- time_fit(function() lme4::lmer(f, data = data, REML = reml, weights = hlm_prior_weights), 10)
  } else {
    fitm <- with_messages(lmerTest::lmer(f, data = data, REML = reml))
    fit <- fitm$value
    secs <- time_fit(function() suppressMessages(lme4::lmer(f, data = data, REML = reml)), if (nrow(data) > 50000) 3 else 10)
  }
  msgs <- fitm$messages
  # Predictions on new rows: conditional on the BLUPs (a new level's random effects are 0) and
  # population-level (re.form = NA). A check of R itself: predict() on every 7th fitted row (a
  # subset, so that a basis recomputed on the new rows would differ) must give the fitted values.
  predictions <- NULL
  if (nzchar(nd_file)) {
    nd <- read_newdata(nd_file, data, factor_cols[[m[[2]]]])
    cond <- with_messages(predict(fit, newdata = nd, allow.new.levels = TRUE))
    popl <- with_messages(predict(fit, newdata = nd, re.form = NA))
    used_rows <- as.integer(rownames(model.frame(fit)))
    pick <- seq(1, length(used_rows), by = 7)
    back <- predict(fit, newdata = data[used_rows[pick], ])
    check <- max(abs(unname(back) - unname(fitted(fit))[pick]))
    if (check > 1e-8) stop(name, ": predict() on fitted rows differs from fitted() by ", check)
    # The new rows' fixed-effect model matrix (lme4's columns, a dropped column left out), from the
    # training bases; population = x_fixed %*% fixef, checked here.
    tf <- delete.response(terms(fit, fixed.only = TRUE))
    # (lme4's predict() builds this frame inside suppressWarnings(); built here without, so that
    # bs()'s "some 'x' values beyond boundary knots" warning is seen and kept as basis_messages)
    mfm <- with_messages(model.frame(tf, nd, na.action = na.pass, xlev = .getXlevels(tf, model.frame(fit))))
    mfn <- mfm$value
    xf <- model.matrix(tf, mfn, contrasts.arg = attr(getME(fit, "X"), "contrasts"))[, colnames(getME(fit, "X")), drop = FALSE]
    stopifnot(nrow(xf) == nrow(nd))
    xcheck <- max(abs(drop(xf %*% fixef(fit)) - unname(popl$value)), na.rm = TRUE)
    if (xcheck > 1e-8) stop(name, ": x_fixed %*% fixef differs from predict(re.form = NA) by ", xcheck)
    predictions <- list(newdata = nd_file, conditional = I(unname(cond$value)), population = I(unname(popl$value)),
                        x_fixed = unname(xf),
                        messages = I(as.character(unique(c(cond$messages, popl$messages)))),
                        basis_messages = I(as.character(mfm$messages)), check_fitted_rows_max_abs_diff = check)
  }
  tt <- attr(model.frame(fit), "terms")
  s <- summary(fit)
  coefs <- s$coefficients
  re <- ranef(fit, condVar = TRUE)
  ranefs <- lapply(names(re), function(g) {
    r <- re[[g]]; pv <- attr(r, "postVar")
    list(group = g, columns = I(colnames(r)), levels = I(rownames(r)), values = unname(as.matrix(r)),
         condsd = if (is.list(pv)) matrix(sapply(pv, function(a) sqrt(a[1, 1, ])), ncol = ncol(r)) else
      matrix(unlist(lapply(seq_len(dim(pv)[3]), function(k) sqrt(diag(as.matrix(pv[, , k]))))),
             ncol = ncol(r), byrow = TRUE))
  })
  ll <- logLik(fit)
  res <- list(
    name = name, dataset = dataset_file(m[[2]]), formula = m[[3]], REML = reml, factors = I(factor_cols[[m[[2]]]]),
    weights = if (nzchar(w)) w else NULL,
    nobs = nobs(fit), ngrps = as.list(ngrps(fit)),
    theta = I(unname(getME(fit, "theta"))), theta_names = I(names(getME(fit, "theta"))),
    fixef = as.list(fixef(fit)), se = as.list(setNames(coefs[, "Std. Error"], rownames(coefs))),
    vcov = unname(as.matrix(vcov(fit))), sigma = sigma(fit),
    varcorr = vc_list(fit),
    logLik = as.numeric(ll), df = attr(ll, "df"),
    objective = if (reml) unname(getME(fit, "devcomp")$cmp[["REML"]]) else deviance(fit),
    AIC = AIC(fit), BIC = BIC(fit), df_resid = df.residual(fit),
    scaled_resid_quantiles = unname(quantile(residuals(fit, type = "pearson", scaled = TRUE))),
    satterthwaite_df = as.list(setNames(coefs[, "df"], rownames(coefs))),
    p_values = as.list(setNames(coefs[, "Pr(>|t|)"], rownames(coefs))),
    singular = isSingular(fit),
    fitted_head = unname(head(fitted(fit), 20)),
    ranef = ranefs,
    lme4_version = as.character(packageVersion("lme4")),
    lme4_fit_seconds_median = secs,
    term_labels = I(attr(terms(fit), "term.labels")),  # R's fixed-effect term labels (deparsed: `poly(Days, 2)`, `g:Days`)
    fixef_dropped = I(as.character(names(attr(getME(fit, "X"), "col.dropped")))),
    predvars_fixed = one_line(attr(tt, "predvars.fixed")),
    predvars_random = one_line(attr(tt, "predvars.random")),
    r_messages = I(as.character(msgs)),
    predictions = predictions
  )
  if (!nzchar(w)) res$weights <- NULL  # no "weights": {} when there are none
  res <- res[!vapply(res, is.null, TRUE)]  # no "predictions" when the model has no new rows
  if (attached) detach("hlm_grouping_columns")
  # a prediction R gives as NA (a new row with a missing value) is written as null
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(out, paste0(name, ".json")))
  cat(sprintf("%-28s n=%6d  obj=%.6f  lme4 %.3fs\n", name, nobs(fit), res$objective, secs))
}
