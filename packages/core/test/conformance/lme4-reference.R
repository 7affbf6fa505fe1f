# Reference fits from lme4 (Debian r-cran-lme4) for the project's conformance tests.
# Usage: Rscript packages/core/test/conformance/lme4-reference.R OUTDIR MODELS.tsv
# MODELS.tsv: name, dataset, formula, REML (TRUE/FALSE), optional weights column; tab-separated,
# with a header line (see packages/core/test/conformance/models.tsv). A dataset is an R data set as
# package::name, "hsb" (nlme's MathAchieve with MathAchSchool's Sector), or a CSV already in OUTDIR.
# Writes OUTDIR/<dataset>.csv for each dataset used and OUTDIR/<model>.json per model.
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
load_dataset <- function(key) {
  if (key == "hsb") return(hsb())
  if (grepl("::", key)) {
    pk <- strsplit(key, "::")[[1]]
    # a package's lazy data (MASS::Sitka) is found as `::` finds it, attached or not
    return(as.data.frame(getExportedValue(pk[1], pk[2])))
  }
  read.csv(file.path(out, paste0(key, ".csv")), stringsAsFactors = TRUE)
}
if (is.null(spec$weights)) spec$weights <- ""
spec$weights[is.na(spec$weights)] <- ""
models <- lapply(seq_len(nrow(spec)), function(i) list(spec$name[i], spec$dataset[i], spec$formula[i], as.logical(spec$REML[i]), spec$weights[i]))
dataset_file <- function(key) sub("^.*::", "", key)

# Fit on the data as read back from the CSV that the project reads too: categorical columns are
# the ones that were factors in R, with levels in C-locale string order (read.csv's order).
invisible(Sys.setlocale("LC_COLLATE", "C"))
used <- unique(vapply(models, function(m) m[[2]], ""))
datasets <- list(); factor_cols <- list()
for (key in used) {
  orig <- load_dataset(key)
  csv <- file.path(out, paste0(dataset_file(key), ".csv"))
  if (grepl("::", key) || key == "hsb") write.csv(orig, csv, row.names = FALSE)
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

for (m in models) {
  name <- m[[1]]; data <- datasets[[m[[2]]]]; f <- as.formula(m[[3]]); reml <- m[[4]]; w <- m[[5]]
  attached <- grouping_calls(f)
  if (attached) {
    stopifnot(!anyNA(data[all.vars(f)]))
    attach(data, name = "hlm_grouping_columns", warn.conflicts = FALSE)
  }
  if (nzchar(w)) {
    data$hlm_prior_weights <- data[[w]]
    fit <- lmerTest::lmer(f, data = data, REML = reml, weights = hlm_prior_weights)
    secs <- time_fit(function() lme4::lmer(f, data = data, REML = reml, weights = hlm_prior_weights), 10)
  } else {
    fit <- lmerTest::lmer(f, data = data, REML = reml)
    secs <- time_fit(function() lme4::lmer(f, data = data, REML = reml), if (nrow(data) > 50000) 3 else 10)
  }
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
    lme4_fit_seconds_median = secs
  )
  if (!nzchar(w)) res$weights <- NULL  # no "weights": {} when there are none
  if (attached) detach("hlm_grouping_columns")
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, paste0(name, ".json")))
  cat(sprintf("%-28s n=%6d  obj=%.6f  lme4 %.3fs\n", name, nobs(fit), res$objective, secs))
}
