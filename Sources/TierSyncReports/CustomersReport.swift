/// `customers`: customers and accounts held now, by class, industry, province or city.
enum CustomersReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        let by = query.by ?? [context.region]
        let rows = try context.customers(by: by)
        let total = try context.customers(by: []).first?.sums ?? [0, 0]
        return context.rollupReport(
            .customers, title: "Customers \(ReportContext.breakdown(by))", by: by,
            measures: [ReportColumn("customers", .count), ReportColumn("accounts", .count)], rows: rows, total: total,
            notes: [
                "customers: rows of the customer table held here, placed by the node that owns them (scope)",
                "accounts: unified big-customer codes, each counted once per owning node, industry and classes; a customer without a code is an account of its own",
                "class: a customer in several classes counts in each, so class rows add up to more than the total; \(CustomerClasses.none) has no class",
            ])
    }
}
