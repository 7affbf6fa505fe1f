# A simulated data set with the shape of the NELS school data in the seed (12,974 students in
# 684 schools; school-level free-lunch category flp in 1..3 with 226/257/201 schools), drawn
# from the seed's fit.2 estimates, so the seed's analysis can be reproduced end to end.
# Usage: Rscript packages/core/test/conformance/simulate-nels.R OUT.csv [SEED]
args <- commandArgs(TRUE)
set.seed(if (length(args) > 1) as.integer(args[2]) else 560)
m <- 684
flp <- sample(rep(1:3, c(226, 257, 201)))
size <- pmax(2, rpois(m, 12974 / m))
size[1:m] <- size + diff(c(0, round(cumsum(size) * 12974 / sum(size))))[1:m] - size
school <- rep(seq_len(m), size)
n <- length(school)
Sb <- matrix(c(9.012, 0.06 * 3.002 * 1.254, 0.06 * 3.002 * 1.254, 1.572), 2)
b <- matrix(rnorm(2 * m), m) %*% chol(Sb)
flp_i <- flp[school]
ses <- rnorm(n, mean = 0.6 - 0.5 * flp_i, sd = 0.8)
y <- 55.3975 - 2.4062 * flp_i + 4.4909 * ses - 0.1931 * flp_i * ses +
  b[school, 1] + b[school, 2] * ses + rnorm(n, sd = sqrt(67.26))
d <- data.frame(school = sprintf("S%03d", school), flp = flp_i, ses = round(ses, 3), score = round(y, 2))
write.csv(d, args[1], row.names = FALSE)
cat(nrow(d), "rows,", length(unique(d$school)), "schools\n")
