# Reference fits of linear mixed models with residual correlation and variance structures from
# nlme::lme, for the project's conformance tests (see ../conformance-nlme/README.md for every
# field and the tolerances, and ./README.md for what this copy adds).
# This is ../conformance-nlme/nlme-reference.R extended: more derived data sets (gaps, shuffled
# rows, missing responses, prior weights, nested groups), na.action = na.omit, nested random
# effects (random = ~ 1 | a/b or a list), the HLM spelling of a model (optional columns
# hlm_formula, hlm_weights) and a check of every file: its log-likelihood recomputed from the
# marginal covariances V_i of all groups.
# Usage: Rscript nlme-reference.R OUTDIR MODELS.tsv
# MODELS.tsv (tab-separated, header line): name, dataset, fixed, random, correlation (an nlme
#   corStruct call such as corAR1(form = ~ Days | Subject), or empty), weights (an nlme varFunc
#   call such as varIdent(form = ~ 1 | Sex), or empty), method (ML|REML); optional columns
#   identified (FALSE when the variance parameters are not identified, only the marginal model
#   is), note (free text copied into the JSON), hlm_formula (HLM's lme4-style formula when it is
#   not fixed + (effects | group) of nlme's one-level random; copied into the JSON) and
#   hlm_weights (a column of prior weights w for HLM, for a model whose nlme weights are
#   varFixed(~ 1/w); copied into the JSON).
# A dataset is one of the derived data sets below, an R data set as package::name, or a CSV
# already in OUTDIR. Writes OUTDIR/<dataset>.csv per data set used and OUTDIR/<model>.json per
# model, fitting on the data as read back from the CSV (read.csv): categorical columns are the
# ones that were factors (or strings) in R, with levels in C-locale string order.
suppressPackageStartupMessages({ library(nlme); library(jsonlite) })
args <- commandArgs(TRUE)
if (length(args) != 2) stop("usage: Rscript nlme-reference.R OUTDIR MODELS.tsv")
out <- args[1]
spec <- read.delim(args[2], stringsAsFactors = FALSE, comment.char = "#", colClasses = "character")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
invisible(Sys.setlocale("LC_COLLATE", "C"))

# Rows sorted by time within group, groups kept in their order of first appearance (nlme takes
# the order of the rows within a group as the order of the observations: corAR1() and
# corSymm(form = ~ 1 | g) use positions, not times).
sort_within <- function(d, group, time) {
  g <- as.character(d[[group]])
  d <- d[order(match(g, unique(g)), d[[time]]), , drop = FALSE]
  rownames(d) <- NULL
  d
}
plain <- function(x) { d <- as.data.frame(x); attr(d, "formula") <- NULL; d }
derived <- list(
  # nlme::Ovary with s1 = sin(2*pi*Time), c1 = cos(2*pi*Time).
  Ovary = function() {
    d <- plain(nlme::Ovary)
    d$s1 <- sin(2 * pi * d$Time); d$c1 <- cos(2 * pi * d$Time)
    sort_within(d, "Mare", "Time")
  },
  Orthodont = function() sort_within(plain(nlme::Orthodont), "Subject", "age"),
  BodyWeight = function() sort_within(plain(nlme::BodyWeight), "Rat", "Time"),
  # nlme::Oxboys (not mlmRev's copy) with age2 = age^2.
  Oxboys = function() {
    d <- plain(nlme::Oxboys)
    d$age2 <- d$age^2
    sort_within(d, "Subject", "age")
  },
  # nlme::Dialyzer with p2 = pressure^2, p3 = pressure^3.
  Dialyzer = function() {
    d <- plain(nlme::Dialyzer)
    d$p2 <- d$pressure^2; d$p3 <- d$pressure^3
    sort_within(d, "Subject", "pressure")
  },
  sleepstudy = function() sort_within(plain(lme4::sleepstudy), "Subject", "Days"),
  # sleepstudy with 2 of days 1..8 dropped per subject (each its own pair): gaps in the integer time.
  sleepstudy_gaps = function() {
    d <- sort_within(plain(lme4::sleepstudy), "Subject", "Days")
    set.seed(20240611)
    drop <- unlist(lapply(split(seq_len(nrow(d)), d$Subject), function(r) r[1 + sample(8, 2)]))
    d <- d[-drop, ]; rownames(d) <- NULL
    d
  },
  # sleepstudy with prior weights w (1, 2, 0.5, 4 in turn) and invw = 1/w, both exact in binary,
  # and late = "early" for days 0..4, "late" for days 5..9.
  sleepstudy_weights = function() {
    d <- sort_within(plain(lme4::sleepstudy), "Subject", "Days")
    d$w <- rep(c(1, 2, 0.5, 4), length.out = nrow(d)); d$invw <- 1 / d$w
    d$late <- factor(ifelse(d$Days >= 5, "late", "early"))
    d
  },
  # nlme::BodyWeight with its rows in a random order (rats interleaved, times unsorted).
  BodyWeight_shuffled = function() {
    d <- plain(nlme::BodyWeight)
    set.seed(20240612)
    d <- d[sample(nrow(d)), ]; rownames(d) <- NULL
    d
  },
  # nlme::Orthodont with each subject's four rows in a random order (subjects kept together), and
  # pos = (age - 6) / 2.
  Orthodont_shuffled = function() {
    d <- sort_within(plain(nlme::Orthodont), "Subject", "age")
    set.seed(20240613)
    d <- d[unlist(lapply(split(seq_len(nrow(d)), factor(d$Subject, unique(d$Subject))), function(r) r[sample(length(r))])), ]
    rownames(d) <- NULL
    d$pos <- (d$age - 6) / 2                        # ages 8, 10, 12, 14 as positions 1..4
    d
  },
  # nlme::BodyWeight with 12 weights missing (the first row among them): rows dropped by the fit.
  BodyWeight_missing = function() {
    d <- sort_within(plain(nlme::BodyWeight), "Rat", "Time")
    d$weight[c(1, 5, 14, 30, 31, 57, 90, 100, 121, 150, 170, 176)] <- NA
    d
  },
  # nlme::Pixel (in its own row order: dogs 1..10, the right side first) with day2 = day^2.
  Pixel = function() {
    d <- plain(nlme::Pixel)
    d$day2 <- d$day^2
    d
  },
  # Simulated: 8 groups a, each with 4 subgroups b (labels b1..b4 repeated across a), 5 times t
  # each; y = 10 + 0.5 t + 0.8 x + a-effect (SD 2) + b-effect (SD 1) + AR(1) errors (phi 0.5).
  nested = function() {
    set.seed(1)
    A <- 8; B <- 4; Tn <- 5
    d <- expand.grid(t = 1:Tn, b = 1:B, a = 1:A)
    d$a <- factor(sprintf("A%02d", d$a)); d$b <- factor(sprintf("b%d", d$b))
    ua <- rnorm(A, 0, 2)[as.integer(d$a)]
    ub <- rnorm(A * B, 0, 1)[as.integer(interaction(d$a, d$b))]
    e <- as.numeric(unlist(lapply(1:(A * B), function(i) arima.sim(list(ar = 0.5), Tn))))
    d$x <- round(rnorm(nrow(d)), 3)
    d$y <- round(10 + 0.5 * d$t + 0.8 * d$x + ua + ub + e, 3)
    d[, c("a", "b", "t", "x", "y")]
  }
)
load_dataset <- function(key) {
  if (!is.null(derived[[key]])) return(derived[[key]]())
  if (grepl("::", key)) return(plain(eval(str2lang(key))))
  read.csv(file.path(out, paste0(key, ".csv")), stringsAsFactors = TRUE)
}
dataset_file <- function(key) sub("^.*::", "", key)
writes_csv <- function(key) !is.null(derived[[key]]) || grepl("::", key)

col_or <- function(col, default) if (is.null(spec[[col]])) rep(default, nrow(spec)) else ifelse(is.na(spec[[col]]), default, spec[[col]])
spec$correlation <- col_or("correlation", "")
spec$weights <- col_or("weights", "")
spec$identified <- col_or("identified", "TRUE")
spec$identified[spec$identified == ""] <- "TRUE"
spec$note <- col_or("note", "")
spec$hlm_formula <- col_or("hlm_formula", "")
spec$hlm_weights <- col_or("hlm_weights", "")

used <- unique(spec$dataset)
datasets <- list(); factor_cols <- list()
for (key in used) {
  orig <- load_dataset(key)
  csv <- file.path(out, paste0(dataset_file(key), ".csv"))
  if (writes_csv(key)) write.csv(orig, csv, row.names = FALSE)
  back <- read.csv(csv, stringsAsFactors = FALSE)
  fc <- names(orig)[vapply(orig, function(col) is.factor(col) || is.character(col), TRUE)]
  for (col in fc) back[[col]] <- factor(as.character(back[[col]]))
  datasets[[key]] <- back
  factor_cols[[key]] <- fc
}

# The controls every model is fitted with; the reference is the fit with the highest
# log-likelihood (the first of the list within 1e-6 of it). nlme stops with an error when nlminb
# reaches its iteration limit; `at_limit` instead returns where nlminb stopped (with a warning),
# which reaches fits on the boundary (a random-effects correlation of +-1) that the others stop
# short of.
controls <- list(
  default = quote(lmeControl()),
  more_iterations = quote(lmeControl(maxIter = 500, msMaxIter = 500, niterEM = 100, msMaxEval = 2000)),
  optim = quote(lmeControl(opt = "optim", maxIter = 500, msMaxIter = 500)),
  at_limit = quote(lmeControl(maxIter = 1000, msMaxIter = 1000, msMaxEval = 10000, niterEM = 0, returnObject = TRUE))
)
named_cor_params <- function(cs) {
  p <- coef(cs, unconstrained = FALSE)
  if (inherits(cs, "corSymm")) {
    k <- round((1 + sqrt(1 + 8 * length(p))) / 2)
    idx <- which(lower.tri(diag(k)), arr.ind = TRUE)  # column-major: (2,1), (3,1), ..., nlme's order
    names(p) <- sprintf("cor(%d,%d)", idx[, "col"], idx[, "row"])
  }
  as.list(p)
}

# group labels of the first l grouping levels per data row, nlme's ("a1/b2" when nested)
level_labels <- function(fit, data, l) do.call(paste, c(lapply(names(fit$groups)[1:l], function(g) as.character(data[[g]])), sep = "/"))
# The marginal covariance of the rows `r` (row numbers in `data`, in file order, all in one
# outermost group): sum over levels of Z G Z' (between rows of the same group of that level) +
# sigma^2 D C D. D from the variance function: none, or varFixed's sqrt(covariate); for others
# see marginal_of.
manual_marginal <- function(fit, data, r) {
  s2 <- fit$sigma^2
  V <- matrix(0, length(r), length(r))
  re <- fit$modelStruct$reStruct
  for (l in seq_len(fit$dims$Q)) {
    lv <- names(fit$groups)[l]
    Z <- model.matrix(formula(re[[lv]]), data[r, , drop = FALSE])
    same <- outer(level_labels(fit, data, l)[r], level_labels(fit, data, l)[r], "==")
    V <- V + (Z %*% (as.matrix(re[[lv]]) * s2) %*% t(Z)) * same
  }
  cs <- fit$modelStruct$corStruct; vs <- fit$modelStruct$varStruct
  C <- diag(length(r))
  if (!is.null(cs)) {
    # the correlation's groups (the innermost random-effects grouping, or its form's)
    cg <- getGroupsFormula(cs)
    sub <- if (is.null(cg)) level_labels(fit, data, fit$dims$Q)[r] else do.call(paste, c(lapply(all.vars(cg), function(g) as.character(data[r, g])), sep = "/"))
    cm <- corMatrix(cs)
    for (k in unique(sub)) { j <- which(sub == k); C[j, j] <- if (length(j) == 1) 1 else cm[[k]] }
  }
  d <- rep(1, length(r))
  if (!is.null(vs)) {
    if (!inherits(vs, "varFixed")) stop("manual_marginal: only varFixed among the variance functions")
    d <- sqrt(eval(getCovariateFormula(vs)[[2]], data[r, , drop = FALSE]))
  }
  V + s2 * outer(d, d) * C
}
# The marginal covariance V_i of every outermost group (the log-likelihood's terms), by its label:
# getVarCov's with one level of grouping (checked against manual_marginal where that applies),
# manual_marginal's when nested (nlme's getVarCov does not do nested models) or getVarCov fails.
marginal_of <- function(fit, data, used) {
  vs <- fit$modelStruct$varStruct
  manual_ok <- is.null(vs) || inherits(vs, "varFixed")
  labels <- level_labels(fit, data, 1)
  out <- list()
  for (lab in unique(labels[used])) {
    r <- which(used & labels == lab)
    V <- if (manual_ok) manual_marginal(fit, data, r) else NULL
    # getVarCov fails when the correlation's grouping is finer than the random effects' (nlme 3.1-162)
    Vn <- if (fit$dims$Q == 1) tryCatch(getVarCov(fit, individuals = lab, type = "marginal")[[1]], error = function(e) NULL)
    if (!is.null(Vn)) {
      Vn <- matrix(as.numeric(unclass(Vn)), nrow(Vn))
      if (!is.null(V) && max(abs(V - Vn)) > 1e-8 * max(abs(Vn))) stop("manual marginal covariance differs from getVarCov's for ", lab)
      V <- Vn
    } else if (is.null(V)) stop("no marginal covariance: a variance function other than varFixed where getVarCov fails")
    out[[lab]] <- list(rows = r, V = V)
  }
  out
}
# nlme's (restricted) log-likelihood recomputed from the V_i (../conformance-nlme/README.md).
loglik_from_marginal <- function(fit, data, marg, X, y, REML) {
  beta <- fixef(fit)
  N <- length(unlist(lapply(marg, `[[`, "rows"))); p <- length(beta)
  ld <- 0; q <- 0; XtVX <- matrix(0, p, p)
  for (g in marg) {
    Xi <- X[g$rows, , drop = FALSE]; ri <- y[g$rows] - Xi %*% beta
    ld <- ld + as.numeric(determinant(g$V)$modulus)
    q <- q + sum(ri * solve(g$V, ri))
    XtVX <- XtVX + t(Xi) %*% solve(g$V, Xi)
  }
  if (REML) -0.5 * ((N - p) * log(2 * pi) + ld + as.numeric(determinant(XtVX)$modulus) + q)
  else -0.5 * (N * log(2 * pi) + ld + q)
}

for (i in seq_len(nrow(spec))) {
  name <- spec$name[i]; key <- spec$dataset[i]
  assign("hlm_data", datasets[[key]], envir = globalenv())
  fixed <- str2lang(spec$fixed[i]); random <- str2lang(spec$random[i])
  corr <- if (nzchar(spec$correlation[i])) str2lang(spec$correlation[i]) else NULL
  wts <- if (nzchar(spec$weights[i])) str2lang(spec$weights[i]) else NULL
  method <- spec$method[i]
  make_call <- function(ctrl) {
    cl <- bquote(lme(fixed = .(fixed), random = .(random), data = hlm_data, method = .(method), control = .(ctrl), na.action = na.omit))
    if (!is.null(corr)) cl$correlation <- corr
    if (!is.null(wts)) cl$weights <- wts
    cl
  }
  fits <- list(); errors <- character(); warns <- character(); tried <- list()
  for (cn in names(controls)) {
    w <- character()
    f <- tryCatch(withCallingHandlers(eval(make_call(controls[[cn]]), globalenv()),
                                      warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") }),
                  error = function(e) { errors <<- c(errors, paste0(cn, ": ", conditionMessage(e))); NULL })
    if (!is.null(f)) { fits[[cn]] <- list(fit = f, warnings = w); tried[[cn]] <- as.numeric(logLik(f)) }
  }
  if (!length(fits)) {
    cat(sprintf("SKIPPED %s: lme failed: %s\n", name, paste(errors, collapse = " | ")))
    next
  }
  best <- max(unlist(tried))
  used_ctrl <- names(tried)[which(unlist(tried) >= best - 1e-6)[1]]
  fit <- fits[[used_ctrl]]$fit
  warns <- fits[[used_ctrl]]$warnings
  cl <- make_call(controls[[used_ctrl]])
  secs <- median(vapply(1:5, function(k) system.time(suppressWarnings(eval(cl, globalenv())))[["elapsed"]], 0))
  data <- get("hlm_data", envir = globalenv())
  s <- summary(fit)
  tt <- s$tTable
  ll <- logLik(fit)
  Q <- fit$dims$Q
  gnames <- names(fit$groups)                      # outermost first
  paths <- vapply(seq_len(Q), function(l) paste(gnames[1:l], collapse = "/"), "")
  # rows the fit used (na.omit): complete in every variable of the model
  vars <- unique(c(all.vars(fixed), all.vars(random), if (!is.null(corr)) all.vars(formula(eval(corr))) else NULL,
                   if (!is.null(wts)) all.vars(formula(eval(wts))) else NULL))
  used <- complete.cases(data[, intersect(vars, names(data)), drop = FALSE])
  stopifnot(sum(used) == fit$dims$N)
  labels <- level_labels(fit, data, Q)             # innermost group per data row
  re <- ranef(fit)
  re_inner <- if (Q == 1) re else re[[Q]]
  first_group <- rownames(re_inner)[1]
  rows <- which(used & labels == first_group)
  num <- function(m) { m <- unclass(m); attributes(m) <- list(dim = dim(m), dimnames = dimnames(m)); m }
  level_cov <- function(l) {
    G <- as.matrix(fit$modelStruct$reStruct[[gnames[l]]]) * fit$sigma^2
    list(group = paths[l], names = I(colnames(G)), covariance = unname(G), sd = I(unname(sqrt(diag(G)))))
  }
  if (Q == 1) {
    G <- num(getVarCov(fit))
    stopifnot(max(abs(unname(as.matrix(G)) - level_cov(1)$covariance)) <= 1e-8 * max(abs(G)))
    re_cov <- list(group = gnames[1], names = I(colnames(G)), covariance = unname(as.matrix(G)), sd = I(unname(sqrt(diag(as.matrix(G))))))
  } else re_cov <- level_cov(Q)
  cs <- fit$modelStruct$corStruct; vs <- fit$modelStruct$varStruct
  marg <- marginal_of(fit, data, used)
  # the check: nlme's log-likelihood from the V_i of all groups
  ff <- as.formula(fixed)
  mf <- model.frame(ff, data[used, , drop = FALSE])
  X <- matrix(NA_real_, nrow(data), length(fixef(fit)))
  X[used, ] <- model.matrix(ff, mf)
  y <- rep(NA_real_, nrow(data)); y[used] <- model.response(mf)
  ll_check <- loglik_from_marginal(fit, data, marg, X, y, method == "REML")
  if (abs(ll_check - as.numeric(ll)) > 1e-8 * abs(as.numeric(ll))) stop(sprintf("%s: logLik %.10f, recomputed from V_i %.10f", name, as.numeric(ll), ll_check))
  # V_i of the first innermost group (the first group when not nested)
  first_V <- if (Q == 1) marg[[first_group]]$V else manual_marginal(fit, data, rows)
  if (Q == 1) stopifnot(identical(marg[[first_group]]$rows, rows))
  if (Q > 1 || is.null(cs) || is.null(getGroupsFormula(cs)) || identical(all.vars(getGroupsFormula(cs)), gnames)) {} else {
    # the correlation's groups are finer than the random effects': the first of those instead
    cg <- all.vars(getGroupsFormula(cs))
    clabels <- do.call(paste, c(lapply(cg, function(g) as.character(data[[g]])), sep = "/"))
    first_group <- names(corMatrix(cs))[1]
    rows <- which(used & clabels == first_group)
    first_V <- manual_marginal(fit, data, rows)
  }
  ngrps <- fit$dims$ngrps[seq_len(Q)]               # innermost first
  names(ngrps) <- paths[match(names(ngrps), gnames)]
  res <- list(
    name = name, dataset = dataset_file(key), fixed = spec$fixed[i], random = spec$random[i],
    correlation = spec$correlation[i], weights = spec$weights[i], method = method,
    identified = as.logical(spec$identified[i]),
    note = if (nzchar(spec$note[i])) spec$note[i] else NULL,
    hlm_formula = if (nzchar(spec$hlm_formula[i])) spec$hlm_formula[i] else NULL,
    hlm_weights = if (nzchar(spec$hlm_weights[i])) spec$hlm_weights[i] else NULL,
    factors = I(factor_cols[[key]]),
    nobs = fit$dims$N, ngrps = as.list(ngrps),
    fixef = as.list(fixef(fit)), se = as.list(setNames(tt[, "Std.Error"], rownames(tt))),
    vcov = unname(as.matrix(vcov(fit))),
    t_values = as.list(setNames(tt[, "t-value"], rownames(tt))),
    t_df = as.list(setNames(tt[, "DF"], rownames(tt))),
    p_values = as.list(setNames(tt[, "p-value"], rownames(tt))),
    sigma = fit$sigma,
    logLik = as.numeric(ll), df = attr(ll, "df"), AIC = AIC(fit), BIC = BIC(fit),
    objective = -2 * as.numeric(ll),
    logLik_from_marginal = ll_check,
    re_covariance = re_cov,
    re_levels = if (Q > 1) lapply(seq_len(Q), function(l) {
      r <- re[[gnames[l]]]
      c(level_cov(l), list(columns = I(colnames(r)), levels = I(rownames(r)), values = unname(as.matrix(r))))
    }) else NULL,
    cor_class = if (!is.null(cs)) class(cs)[1] else NULL,
    cor_params = if (!is.null(cs)) named_cor_params(cs) else NULL,
    cor_matrix_first_group = if (!is.null(cs)) list(group = first_group, matrix = unname(corMatrix(cs)[[first_group]])) else NULL,
    var_class = if (!is.null(vs)) class(vs)[1] else NULL,
    var_params = if (!is.null(vs) && length(coef(vs))) as.list(coef(vs, unconstrained = FALSE)) else NULL,
    var_strata = if (inherits(vs, "varIdent")) I(attr(vs, "groupNames")) else if (inherits(vs, "varComb")) {
      vi <- Filter(function(x) inherits(x, "varIdent"), vs)
      if (length(vi)) I(attr(vi[[1]], "groupNames")) else NULL
    } else NULL,
    var_components = if (inherits(vs, "varComb")) I(vapply(vs, function(x) class(x)[1], "")) else NULL,
    marginal_cov = list(group = first_group, rows = I(rows), matrix = first_V),
    ranef = list(group = paths[Q], columns = I(colnames(re_inner)), levels = I(rownames(re_inner)), values = unname(as.matrix(re_inner))),
    fitted_head = unname(head(fitted(fit), 20)),
    fitted_fixed_head = unname(head(fitted(fit, level = 0), 20)),
    control = used_ctrl,
    control_errors = if (length(errors)) I(errors) else NULL,
    control_warnings = if (length(warns)) I(warns) else NULL,
    control_logLiks = tried,
    nlme_version = as.character(packageVersion("nlme")),
    lme_fit_seconds_median = secs
  )
  res <- res[!vapply(res, is.null, TRUE)]
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, paste0(name, ".json")))
  cat(sprintf("%-34s n=%4d  p=%2d  logLik=%.6f  (from V_i: %.1e)  control=%s  %.3fs\n", name, fit$dims$N, length(fixef(fit)),
              res$logLik, ll_check - res$logLik, used_ctrl, secs))
}
