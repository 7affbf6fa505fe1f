# nlme's numbers for the longitudinal tutorial page (docs/tutorial/longitudinal.md): each model of
# models.tsv fitted by nlme::lme by maximum likelihood on the CSV in docs/public, written to
# longitudinal.json beside this script. The docs generator (scripts/longitudinal.ts) fits the same
# models with @hlm/core and puts both on the page; docs/test/longitudinal.test.ts checks that they agree.
#
# Usage, from docs/:  Rscript scripts/nlme/nlme-longitudinal.R
# (R 4.2 with nlme 3.1-162 and jsonlite made the committed file; a few seconds.)
suppressPackageStartupMessages({ library(nlme); library(jsonlite) })
here <- "scripts/nlme"
spec <- read.delim(file.path(here, "models.tsv"), stringsAsFactors = FALSE, colClasses = "character")
invisible(Sys.setlocale("LC_COLLATE", "C"))

# Categorical columns' levels in C order, as the engine reads them, except the grouping factor's:
# those in the order the groups appear in the file. nlme 3.1-162's residuals(m, type = "normalized")
# (and so ACF(m, resType = "normalized")) whiten the wrong rows when lme has to reorder the groups
# (levels "1", "10", "11", "2", ... for Mare): the first rows of most mares come out wrong, and the
# lag-1 autocorrelation reads -0.093 instead of -0.105. Nothing else depends on the levels' order.
read_data <- function(name, factors, group) {
  d <- read.csv(file.path("public", paste0(name, ".csv")), stringsAsFactors = FALSE)
  for (col in factors) {
    x <- as.character(d[[col]])
    d[[col]] <- if (col == group) factor(x, levels = unique(x)) else factor(x)
  }
  d
}
num <- function(m) { m <- unclass(m); attributes(m) <- list(dim = dim(m)); m }

fits <- list(); out <- list()
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  factors <- strsplit(s$factors, ",")[[1]]
  group <- trimws(sub(".*\\|", "", s$random))
  assign("hlm_data", read_data(s$dataset, factors, group), envir = globalenv())
  cl <- bquote(lme(fixed = .(str2lang(s$fixed)), random = .(str2lang(s$random)), data = hlm_data, method = "ML"))
  if (nzchar(s$correlation)) cl$correlation <- str2lang(s$correlation)
  if (nzchar(s$weights)) cl$weights <- str2lang(s$weights)
  m <- eval(cl, globalenv())
  fits[[s$name]] <- m
  tt <- summary(m)$tTable
  ll <- logLik(m)
  cs <- m$modelStruct$corStruct; vs <- m$modelStruct$varStruct
  res <- list(
    name = s$name, dataset = s$dataset, factors = I(factors), fixed = s$fixed, random = s$random,
    correlation = s$correlation, weights = s$weights, method = "ML",
    logLik = as.numeric(ll), df = attr(ll, "df"), AIC = AIC(m), BIC = BIC(m), sigma = m$sigma,
    re_sd = as.list(setNames(sqrt(diag(num(getVarCov(m)))), colnames(getVarCov(m)))),
    fixef = as.list(fixef(m)),
    t_table = list(names = I(rownames(tt)), se = I(unname(tt[, "Std.Error"])), df = I(unname(tt[, "DF"])),
                   t = I(unname(tt[, "t-value"])), p = I(unname(tt[, "p-value"]))),
    cor_params = if (!is.null(cs)) as.list(coef(cs, unconstrained = FALSE)) else NULL,
    var_params = if (!is.null(vs)) as.list(coef(vs, unconstrained = FALSE)) else NULL
  )
  if (s$dataset == "Ovary") {
    # nlme's ACF: Pearson residuals without a structure, normalized residuals with one (what
    # plot(ACF(m), alpha = 0.05) draws, with the band +-qnorm(0.975) / sqrt(n.used))
    type <- if (is.null(cs)) "pearson" else "normalized"
    a <- ACF(m, resType = type)
    res$acf <- list(type = type, lag = I(a$lag), acf = I(a$ACF), pairs = I(attr(a, "n.used")))
    first <- rownames(ranef(m))[1]
    res$marginal_first <- list(group = first, matrix = num(getVarCov(m, individuals = first, type = "marginal")[[1]]))
  }
  out$models[[i]] <- res[!vapply(res, is.null, TRUE)]
  cat(sprintf("%-24s logLik %.6f  df %d\n", s$name, res$logLik, res$df))
}
a <- anova(fits$ovary_independent, fits$ovary_ar1)
out$anova <- list(models = I(c("ovary_independent", "ovary_ar1")), L.Ratio = a$L.Ratio[2], p = a$`p-value`[2])
out$nlme_version <- as.character(packageVersion("nlme"))
out$R_version <- paste(R.version$major, R.version$minor, sep = ".")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "longitudinal.json"))
