# lme4's numbers for the GLMM tutorial page (docs/tutorial/glmm.md): each model of models.tsv fitted
# by lme4::glmer on the CSV in docs/public, written to glmm.json beside this script. The docs
# generator (scripts/glmm.ts) fits the same models with @hlm/core's fitGlmm and puts both on the
# page; docs/test/glmm.test.ts checks that they agree.
#
# Besides what summary() prints, for each model: lme4's deviance() (the conditional deviance), the
# conditional modes with their conditional SDs, the Wald intervals confint(m, parm = "beta_",
# method = "Wald") (exp() of them are the page's odds and rate ratios), and performance's icc() and
# r2_nakagawa(); for cbpp, predict() per herd and period (conditional on the herd's mode, and
# re.form = NA) and anova(cbpp_null, cbpp_logit).
#
# Usage, from docs/:  Rscript scripts/lme4/glmm-tutorial.R
# (R 4.2 with lme4 1.1-31, performance and jsonlite made the committed file; about half a minute.)
suppressPackageStartupMessages({ library(lme4); library(jsonlite); library(performance) })
here <- "scripts/lme4"
spec <- read.delim(file.path(here, "models.tsv"), stringsAsFactors = FALSE, colClasses = "character")
invisible(Sys.setlocale("LC_COLLATE", "C"))

# The categorical columns as the engine reads them: levels in C-locale string order.
read_data <- function(name, factors) {
  d <- read.csv(file.path("public", paste0(name, ".csv")), stringsAsFactors = FALSE)
  for (col in factors) d[[col]] <- factor(as.character(d[[col]]))
  d
}
num <- function(m) { m <- unclass(m); attributes(m) <- list(dim = dim(m)); m }
ranef_json <- function(m) {
  re <- ranef(m, condVar = TRUE)
  lapply(names(re), function(g) {
    v <- attr(re[[g]], "postVar")
    list(group = g, columns = I(colnames(re[[g]])), levels = I(rownames(re[[g]])),
         values = unname(as.matrix(re[[g]])),
         condsd = matrix(sqrt(unlist(lapply(seq_len(nrow(re[[g]])), function(i) diag(as.matrix(v[, , i]))))), ncol = ncol(re[[g]]), byrow = TRUE))
  })
}

fits <- list(); out <- list()
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  factors <- strsplit(s$factors, ",")[[1]]
  assign("hlm_data", read_data(s$dataset, factors), envir = globalenv())
  cl <- bquote(glmer(.(str2lang(s$formula)), data = hlm_data, family = .(as.name(s$family))(link = .(s$link)), nAGQ = .(as.integer(s$nAGQ))))
  # glmerControl's default (bobyqa, then Nelder_Mead); bobyqa for both stages when the default stops
  # with a convergence warning (Contraception's, whose age^2 column makes the Hessian badly scaled),
  # as the shared reference script does
  optimizer <- "default (bobyqa, then Nelder_Mead)"; trouble <- character()
  m <- withCallingHandlers(eval(cl, globalenv()), warning = function(w) { trouble <<- c(trouble, conditionMessage(w)); invokeRestart("muffleWarning") })
  if (length(trouble) > 0) {
    cl$control <- quote(glmerControl(optimizer = "bobyqa"))
    m <- eval(cl, globalenv()); optimizer <- "bobyqa"
  }
  fits[[s$name]] <- m
  cf <- summary(m)$coefficients
  ll <- logLik(m)
  wald <- confint(m, parm = "beta_", method = "Wald")
  res <- list(
    name = s$name, dataset = s$dataset, factors = I(factors), formula = s$formula, family = s$family,
    link = s$link, nAGQ = as.integer(s$nAGQ), nobs = nobs(m), ngrps = as.list(ngrps(m)),
    logLik = as.numeric(ll), df = attr(ll, "df"), AIC = AIC(m), BIC = BIC(m),
    objective = -2 * as.numeric(ll), deviance = deviance(m), df_resid = df.residual(m),
    theta = I(unname(getME(m, "theta"))),
    re_sd = lapply(VarCorr(m), function(v) as.list(setNames(attr(v, "stddev"), colnames(v)))),
    fixef = as.list(fixef(m)),
    coef_table = list(names = I(rownames(cf)), se = I(unname(cf[, 2])), z = I(unname(cf[, 3])), p = I(unname(cf[, 4]))),
    wald = list(names = I(rownames(wald)), lower = I(unname(wald[, 1])), upper = I(unname(wald[, 2]))),
    ranef = ranef_json(m),
    optimizer = optimizer, default_optimizer_trouble = I(trouble),
    convergence_warnings = I(as.character(m@optinfo$conv$lme4$messages))
  )
  if (s$nAGQ == "1") {
    ic <- suppressWarnings(performance::icc(m))
    r2 <- suppressWarnings(performance::r2_nakagawa(m))
    res$performance <- list(icc_adjusted = ic$ICC_adjusted, icc_unadjusted = ic$ICC_unadjusted,
                            r2_conditional = unname(r2$R2_conditional), r2_marginal = unname(r2$R2_marginal))
  }
  if (s$name == "cbpp_logit") {
    d <- hlm_data
    nd <- expand.grid(period = levels(d$period), herd = levels(d$herd), stringsAsFactors = FALSE)
    res$predict <- list(
      herd = I(nd$herd), period = I(nd$period),
      conditional = I(unname(predict(m, newdata = nd, type = "response"))),
      population_period = I(levels(d$period)),
      population = I(unname(predict(m, newdata = data.frame(period = levels(d$period)), re.form = NA, type = "response")))
    )
  }
  out$models[[i]] <- res
  cat(sprintf("%-16s logLik %.6f  df %d\n", s$name, res$logLik, res$df))
}
a <- anova(fits$cbpp_null, fits$cbpp_logit)
out$anova <- list(models = I(c("cbpp_null", "cbpp_logit")), Chisq = a$Chisq[2], Df = a$Df[2], p = a$`Pr(>Chisq)`[2],
                  AIC = I(a$AIC), BIC = I(a$BIC), logLik = I(a$logLik), deviance = I(a$deviance))
out$lme4_version <- as.character(packageVersion("lme4"))
out$performance_version <- as.character(packageVersion("performance"))
out$R_version <- paste(R.version$major, R.version$minor, sep = ".")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "glmm.json"))
